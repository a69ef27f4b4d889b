using System.Text;

namespace DocEngine.Core.Workers;

/// <summary>
/// Test-only faults (<see cref="WorkerOptions.TestFaults"/>): a decoder made to hang, to allocate without end, to
/// overflow its stack or to crash natively, triggered by a marker inside an input, so a test can drive them through
/// the real server and CLI. Never on unless configured.
/// </summary>
internal static class TestFaults
{
    private static readonly byte[] Marker = "DOCENGINE-TEST-FAULT:"u8.ToArray();

    public static void Apply(IEnumerable<string> inputs)
    {
        foreach (var path in inputs.Where(File.Exists))
        {
            var head = new byte[Math.Min(1 << 16, new FileInfo(path).Length)];
            using (var file = File.OpenRead(path))
            {
                file.ReadExactly(head);
            }
            var at = head.AsSpan().IndexOf(Marker);
            if (at < 0)
            {
                continue;
            }
            var rest = Encoding.ASCII.GetString(head, at + Marker.Length, Math.Min(16, head.Length - at - Marker.Length));
            if (rest.StartsWith("hang", StringComparison.Ordinal))
            {
                while (true)
                {
                    Thread.SpinWait(1 << 20); // burns a core, as a stuck decoder does
                }
            }
            if (rest.StartsWith("allocate", StringComparison.Ordinal))
            {
                var held = new List<byte[]>();
                while (true)
                {
                    var block = new byte[64 << 20];
                    Array.Fill(block, (byte)1); // touched, so it is really resident
                    held.Add(block);
                }
            }
            if (rest.StartsWith("overflow", StringComparison.Ordinal))
            {
                Recurse(0);
            }
            if (rest.StartsWith("crash", StringComparison.Ordinal))
            {
                Environment.FailFast("Test fault: a native crash in a decoder.");
            }
        }
    }

    private static int Recurse(int depth) => depth == int.MaxValue ? depth : Recurse(depth + 1) + 1;
}
