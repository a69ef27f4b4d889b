return await DocEngine.Native.OneShotVerify.RunAsync(args, Console.Out, Console.Error);
