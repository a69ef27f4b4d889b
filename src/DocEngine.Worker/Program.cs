return await DocEngine.Core.Workers.WorkerHost.RunAsync(DocEngine.Worker.WarmUp.Run);
