namespace DocEngine.Cli.Common;

/// <summary>The exit codes scripts rely on (DESIGN.md, "The CLI contract").</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;
    /// <summary>Anything not covered below.</summary>
    public const int Other = 1;
    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;
    /// <summary>The input was refused, with a sentence saying why.</summary>
    public const int Refused = 3;
    /// <summary>The server is unreachable or refused the call.</summary>
    public const int Unreachable = 4;
    /// <summary>Interrupted by Ctrl-C (SIGINT), as shells report it: 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Commands that continue where an interrupted run stopped when run again.</summary>
    public static bool IsResumable(string command) => command is "upload" or "download" or "batch";
}

/// <summary>A failure with its exit code and the one sentence to print on stderr.</summary>
public sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    /// <summary>The process exit code to return.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>The core refused the input while running offline: exit 3 with its sentence (1 for anything not about the input).</summary>
    public static CliFailure From(Core.Common.DocEngineException refusal) => new(
        refusal.Kind is Core.Common.ErrorKind.Unauthenticated or Core.Common.ErrorKind.Aborted ? ExitCodes.Other : ExitCodes.Refused,
        refusal.Message);
}
