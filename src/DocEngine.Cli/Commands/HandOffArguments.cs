namespace DocEngine.Cli.Commands;

/// <summary>
/// A command line as the hand-off to the ahead-of-time compiled helper reads it (<see cref="LocalVerify"/>,
/// <see cref="LocalPreview"/>): the command, one input, and only the options it names, each in the plain form
/// <c>--name value</c>. Anything else (a repeated option, <c>--name=value</c>, a value that starts with <c>-</c>, a
/// second input, help) gives null, and the CLI's own parser runs the command, with its own words for any mistake.
/// </summary>
internal sealed record HandOffArguments(string Input, IReadOnlySet<string> Flags, IReadOnlyDictionary<string, IReadOnlyList<string>> Values)
{
    /// <summary>
    /// Reads <paramref name="args"/> when they are <paramref name="command"/> with one input, the switches in
    /// <paramref name="flags"/>, the options in <paramref name="single"/> once each and those in
    /// <paramref name="repeated"/> any number of times; otherwise null.
    /// </summary>
    public static HandOffArguments? Read(IReadOnlyList<string> args, string command, string[] flags, string[] single, string[] repeated)
    {
        if (args.Count < 2 || args[0] != command)
        {
            return null;
        }
        string? input = null;
        var switches = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var word = args[i];
            var value = i + 1 < args.Count && !args[i + 1].StartsWith('-') ? args[i + 1] : null;
            if (flags.Contains(word) && switches.Add(word))
            {
                continue;
            }
            if (value is not null && (repeated.Contains(word) || (single.Contains(word) && !values.ContainsKey(word))))
            {
                values.TryAdd(word, []);
                values[word].Add(value);
                i++;
                continue;
            }
            if (word.StartsWith('-') || input is not null)
            {
                return null;
            }
            input = word;
        }
        return input is null ? null : new HandOffArguments(input, switches, values.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value));
    }

    /// <summary>The value of an option given once, or null.</summary>
    public string? Value(string name) => Values.TryGetValue(name, out var given) ? given[0] : null;
}
