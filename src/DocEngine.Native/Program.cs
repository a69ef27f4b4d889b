return await DocEngine.Native.OneShot.RunAsync(args, Console.Out, Console.Error);
