using DocEngine.Fuzz;

// docengine-fuzz HARNESS: run under afl-fuzz (persistent mode) on the instrumented DocEngine.Core.dll; see fuzz/README.md.
if (args is not [var name] || !Harnesses.All.TryGetValue(name, out var harness))
{
    await Console.Error.WriteLineAsync($"Usage: DocEngine.Fuzz HARNESS, one of: {string.Join(", ", Harnesses.All.Keys)}");
    return 2;
}
SharpFuzz.Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    harness(copy.ToArray());
});
return 0;
