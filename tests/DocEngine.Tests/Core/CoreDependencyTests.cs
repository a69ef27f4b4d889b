using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using DocEngine.Core;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Core;

/// <summary>
/// Core's folders depend one way (issue 20): every type of a folder may refer only to the folders that
/// src/DocEngine.Core/README.md allows it, in its signatures and inside its method bodies alike.
/// </summary>
public sealed partial class CoreDependencyTests
{
    private const string Root = "(root)";
    private static readonly Assembly Core = typeof(DocEngineOptions).Assembly;

    [Fact]
    public void Every_folder_of_core_uses_only_the_folders_the_readme_allows()
    {
        var allowed = ReadAllowedTable();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Core.GetTypes())
        {
            var from = FolderOf(type);
            if (from is null || from == Root)
            {
                continue; // the root is composition: it may use every folder
            }
            Assert.True(allowed.ContainsKey(from), $"Folder {from} (type {type.FullName}) is missing from the table in src/DocEngine.Core/README.md.");
            foreach (var used in References(type))
            {
                var to = FolderOf(used);
                if (to is not null && to != from && !allowed[from].Contains(to))
                {
                    violations.Add($"{from} -> {to}: {type.FullName} uses {used.FullName}");
                }
            }
        }
        Assert.True(violations.Count == 0, "Core folders must depend one way (src/DocEngine.Core/README.md):\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_check_sees_references_inside_method_bodies_and_signatures()
    {
        // A reference only in a method body (of an async method's state machine): Uploads' manager detects the media type of what it stores.
        var manager = Core.GetType("DocEngine.Core.Uploads.UploadManager")!;
        Assert.Contains(manager.GetNestedTypes(BindingFlags.NonPublic).SelectMany(References).Select(FolderOf), folder => folder == "Detection");
        // A reference in a signature: the PDF compressor takes MuPDF's renderer.
        var compressor = Core.GetType("DocEngine.Core.Pdf.PdfCompressor")!;
        Assert.Contains(References(compressor).Select(FolderOf), folder => folder == "Mupdf");
    }

    [Fact]
    public void The_allowed_table_itself_has_no_cycle()
    {
        var allowed = ReadAllowedTable();
        var state = new Dictionary<string, int>();
        foreach (var folder in allowed.Keys)
        {
            Visit(folder, []);
        }

        void Visit(string folder, List<string> path)
        {
            if (state.GetValueOrDefault(folder) == 2)
            {
                return;
            }
            Assert.False(state.GetValueOrDefault(folder) == 1, "The allowed table has a cycle: " + string.Join(" -> ", path.Append(folder)));
            state[folder] = 1;
            foreach (var next in allowed.GetValueOrDefault(folder) ?? [])
            {
                Visit(next, [.. path, folder]);
            }
            state[folder] = 2;
        }
    }

    /// <summary>The folders each folder may use, from the README's table ("—" for none).</summary>
    private static Dictionary<string, HashSet<string>> ReadAllowedTable()
    {
        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "src", "DocEngine.Core", "README.md"));
        var table = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in readme)
        {
            var row = TableRow().Match(line);
            if (row.Success)
            {
                table[row.Groups[1].Value] = row.Groups[2].Value.Trim() == "—"
                    ? []
                    : [.. row.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
            }
        }
        Assert.True(table.Count >= 10, "The dependency table in src/DocEngine.Core/README.md could not be read.");
        return table;
    }

    /// <summary>The Core folder a type belongs to: its first namespace part under DocEngine.Core, or the root; null outside Core.</summary>
    private static string? FolderOf(Type type)
    {
        if (type.Assembly != Core || type.Namespace is not { } name || !name.StartsWith("DocEngine.Core", StringComparison.Ordinal))
        {
            return null;
        }
        return name == "DocEngine.Core" ? Root : name["DocEngine.Core.".Length..].Split('.')[0];
    }

    /// <summary>Every type a type names: base, interfaces, members' signatures, and the operands of its methods' IL.</summary>
    private static HashSet<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Add(type.BaseType);
        foreach (var contract in type.GetInterfaces())
        {
            Add(contract);
        }
        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }
        foreach (var property in type.GetProperties(All))
        {
            Add(property.PropertyType);
        }
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }
            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                Add(local.LocalType);
            }
            foreach (var member in IlOperands(method))
            {
                switch (member)
                {
                    case Type operand:
                        Add(operand);
                        break;
                    case FieldInfo field:
                        Add(field.DeclaringType);
                        Add(field.FieldType);
                        break;
                    case MethodBase called:
                        Add(called.DeclaringType);
                        foreach (var argument in called.IsGenericMethod ? called.GetGenericArguments() : [])
                        {
                            Add(argument);
                        }
                        break;
                }
            }
        }
        return found;

        void Add(Type? used)
        {
            while (used is not null && (used.HasElementType))
            {
                used = used.GetElementType();
            }
            if (used is null || !found.Add(used))
            {
                return;
            }
            if (used.IsGenericType)
            {
                foreach (var argument in used.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types, fields and methods a method's IL names (ldtoken, newobj, call, ldfld, castclass, …).</summary>
    private static IEnumerable<MemberInfo> IlOperands(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }
            var opCode = OpCodesByValue[value];
            var size = OperandSize(opCode.OperandType, il, at);
            if (opCode.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
            {
                MemberInfo? member;
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    member = null; // a token of another module's generic context: not a Core folder's concern
                }
                if (member is not null)
                {
                    yield return member;
                }
            }
            at += size;
        }
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    [GeneratedRegex(@"^\| `([A-Za-z]+)` \| [^|]+ \| ([^|]+) \|$")]
    private static partial Regex TableRow();
}
