using DocEngine.Cli;
using DocEngine.Cli.Common;

NativeHelper.HandOff(args);
OfflineWorkers.Prestart(args);
try
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error);
}
finally
{
    await OfflineWorkers.DisposeUnclaimedAsync();
}
