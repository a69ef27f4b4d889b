using System.CommandLine;
using DocEngine.Cli.Commands;
using DocEngine.Cli.Common;

namespace DocEngine.Cli;

/// <summary>The <c>docengine</c> command line: parses, runs one command, and maps every outcome to the documented exit codes.</summary>
public static class CliApp
{
    /// <summary>Runs the CLI with the given output writers; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("DocEngine: resumable document uploads, downloads and processing.")
        {
            UploadCommand.Create(),
            DownloadCommand.Create(),
            InspectCommand.Create(),
            ProcessCommand.Create(),
            PreviewCommand.Create(),
            VerifyCommand.Create(),
            BatchCommand.Create(),
            ReceiptCommand.Create(),
            TokenCommand.Create(),
            BenchCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync(error.Message);
            }
            var command = parse.CommandResult.Command;
            await stderr.WriteLineAsync(command == root
                ? "Run `docengine --help` for usage."
                : $"Run `docengine {command.Name} --help` for this command's usage, or `docengine --help` for every command.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration);
        }
        catch (CliFailure failure)
        {
            await stderr.WriteLineAsync(failure.Message);
            return failure.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync(ExitCodes.IsResumable(parse.CommandResult.Command.Name)
                ? "Interrupted. Run the same command again to continue where it stopped."
                : "Interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours, not the input's fault: one line, no stack trace (set DOCENGINE_DEBUG=1 for it).
            await stderr.WriteLineAsync($"docengine failed unexpectedly ({e.GetType().Name}: {e.Message.Split('\n')[0]}). Please report it with the command you ran.");
            if (Environment.GetEnvironmentVariable("DOCENGINE_DEBUG") == "1")
            {
                await stderr.WriteLineAsync(e.ToString());
            }
            return ExitCodes.Other;
        }
    }
}
