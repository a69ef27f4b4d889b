using System.Net;
using System.Net.Sockets;
using DocEngine.Core.Sandbox;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Core;

/// <summary>The sandbox every untrusted child process runs in: no network when asked, kernel limits, an empty environment.</summary>
public sealed class SandboxTests
{
    [SkippableFact]
    public async Task A_child_without_network_cannot_reach_a_listener_on_loopback_while_an_ordinary_child_can()
    {
        Requires.That(SandboxedProcess.CanIsolateNetwork,
            "NETWORK NAMESPACES NOT AVAILABLE (unshare --net): converters and workers would run WITH network here; the sandbox test is SKIPPED.");
        var (listener, connect) = Listen();
        using var _ = listener;

        var isolated = await SandboxedProcess.RunToEndAsync(
            SandboxedProcess.StartInfo("/bin/bash", connect, Path.GetTempPath(), new SandboxLimits(null, 10, NoNetwork: true)), TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.NotEqual(0, isolated.ExitCode);
        Assert.False(listener.Pending());

        var open = await SandboxedProcess.RunToEndAsync(
            SandboxedProcess.StartInfo("/bin/bash", connect, Path.GetTempPath(), new SandboxLimits(null, 10)), TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(0, open.ExitCode); // the same command reaches the listener outside the sandbox: the test can fail
    }

    [SkippableFact]
    public async Task A_child_started_without_network_from_a_thread_of_its_own_cannot_reach_a_listener_on_loopback()
    {
        Requires.That(SandboxedProcess.CanIsolateNetwork,
            "NETWORK NAMESPACES NOT AVAILABLE (unshare --net): converters and workers would run WITH network here; the sandbox test is SKIPPED.");
        var (listener, connect) = Listen();
        using var _ = listener;
        var start = SandboxedProcess.StartInfo("/bin/bash", connect, Path.GetTempPath(), new SandboxLimits(null, 10));

        var isolated = await SandboxedProcess.RunToEndAsync(start, TimeSpan.FromSeconds(20), CancellationToken.None, withoutNetwork: true);
        Assert.NotEqual(0, isolated.ExitCode);
        Assert.False(listener.Pending());
        var open = await SandboxedProcess.RunToEndAsync(start, TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(0, open.ExitCode); // the same start reaches the listener with network: the test can fail
        // This process keeps its network: only the thread that started the child moved, and it has ended.
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
    }

    /// <summary>A listener on loopback, and bash's arguments that connect to it and write a line.</summary>
    private static (TcpListener Listener, string[] Connect) Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (listener, ["-c", $"echo hello > /dev/tcp/127.0.0.1/{((IPEndPoint)listener.LocalEndpoint).Port}"]);
    }

    [Fact]
    public void A_program_is_found_where_a_child_looks_for_it()
    {
        Assert.Equal("/bin/sh", SandboxedProcess.Find("/bin/sh"));
        Assert.Contains(SandboxedProcess.Find("sh"), new[] { "/usr/local/bin/sh", "/usr/bin/sh", "/bin/sh" });
        Assert.Null(SandboxedProcess.Find("docengine-no-such-program"));
        Assert.Null(SandboxedProcess.Find("/nonexistent/mutool"));
    }

    [Fact]
    public async Task The_environment_is_empty_and_the_kernel_limits_hold()
    {
        Environment.SetEnvironmentVariable("DOCENGINE_SECRET_FOR_SANDBOX_TEST", "leaked");
        var run = await SandboxedProcess.RunToEndAsync(
            SandboxedProcess.StartInfo("/bin/sh", ["-c", "env; ulimit -v; ulimit -t; ulimit -n"], Path.GetTempPath(),
                new SandboxLimits(256L << 20, 7, 64), new Dictionary<string, string> { ["HOME"] = "/nonexistent" }),
            TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("DOCENGINE_SECRET_FOR_SANDBOX_TEST", run.Output, StringComparison.Ordinal);
        Assert.Contains("HOME=/nonexistent", run.Output, StringComparison.Ordinal);
        var limits = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^3..];
        Assert.Equal(["262144", "7", "64"], limits); // ulimit -v is in KiB
    }

    [Fact]
    public async Task A_child_that_outlives_its_time_limit_is_killed_with_its_children()
    {
        using var marker = new TempDirectory();
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SandboxedProcess.RunToEndAsync(
            SandboxedProcess.StartInfo("/bin/sh", ["-c", "sleep 30 & echo $! > child.pid; wait"], marker.Path, new SandboxLimits(null, null)),
            TimeSpan.FromMilliseconds(500), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var child = int.Parse(File.ReadAllText(Path.Combine(marker.Path, "child.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(200);
        Assert.False(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(" Z ", StringComparison.Ordinal),
            "the sleeping grandchild survived its parent's kill");
    }
}
