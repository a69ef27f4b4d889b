namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// The one way a test gives up on a missing part of the machine (a program, a server, a corpus): a loud line and a
/// skip on a developer's machine, a failure under CI (<c>CI=true</c>), whose build installs every part.
/// </summary>
public static class Requires
{
    /// <summary>True when running under CI, where nothing may skip for a missing part.</summary>
    public static bool UnderCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Skips the test loudly with <paramref name="message"/> unless <paramref name="available"/>; fails instead under CI.</summary>
    public static void That(bool available, string message)
    {
        if (available)
        {
            return;
        }
        Assert.False(UnderCi, message + " Under CI this is a failure.");
        Console.Error.WriteLine("*** " + message + " ***");
        Skip.If(true, message);
    }
}
