using MiDpg.Research.Data;
using System.Reflection;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>
/// Spectre.Console.Cli's parse and binding errors made into one line that names the option and what it expects:
/// "unknown option '--epoch' for train (did you mean --epochs?)" rather than "Unknown option 'epoch'.", and
/// "--epochs 'abc' is not a whole number" rather than "Failed to convert 'abc' to Nullable`1.".
/// </summary>
static class ArgumentErrors
{
    /// <summary>The command line's settings type per command path ("train", "data describe"), filled while configuring.</summary>
    public static Dictionary<string, Type> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records the settings type of <typeparamref name="TCommand"/> under <paramref name="path"/> and returns the name.</summary>
    public static string Register<TCommand>(string path)
    {
        for (var t = typeof(TCommand); t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericArguments() is [var settings] && typeof(CommandSettings).IsAssignableFrom(settings))
            {
                Settings[path] = settings;
                break;
            }
        return path.Split(' ')[^1];
    }

    /// <summary>A clearer message for <paramref name="e"/>, or null to keep Spectre's.</summary>
    public static string? Describe(Exception e, IReadOnlyList<string> args)
    {
        var (command, settings) = CommandOf(args);
        const string unknown = "Unknown option '";
        if (e.Message.StartsWith(unknown, StringComparison.Ordinal))
        {
            var name = e.Message[unknown.Length..].TrimEnd('.', '\'');
            var written = args.FirstOrDefault(a => a.TrimStart('-').Split('=', ':')[0] == name && a.StartsWith('-')) ?? (name.Length == 1 ? "-" : "--") + name;
            written = written.Split('=', ':')[0];
            var options = settings is null ? [] : Options(settings).SelectMany(o => o.Names).ToList();
            var near = options.Where(o => o.StartsWith("--", StringComparison.Ordinal)).OrderBy(o => EditDistance.Between(o, written)).FirstOrDefault();
            var hint = near is not null && EditDistance.Between(near, written) <= Math.Max(2, written.Length / 3) ? $" (did you mean {near}?)" : "";
            return $"unknown option '{written}'{(command is null ? "" : $" for {command}")}{hint}; `{command ?? ""} --help` lists the options.".Replace("`  --help", "`--help");
        }
        const string convert = "Failed to convert '";
        if (e.Message.StartsWith(convert, StringComparison.Ordinal) && settings is not null)
        {
            var value = e.Message[convert.Length..];
            value = value[..value.LastIndexOf("' to ", StringComparison.Ordinal)];
            var options = Options(settings);
            if (value == "__default_command")
            {
                // Spectre's stand-in when an option that takes a value was given none.
                var bare = args.Select((a, i) => (a, i)).LastOrDefault(x => options.Any(o => o.Names.Contains(x.a) && !o.Flag) &&
                                                                          (x.i + 1 == args.Count || args[x.i + 1].StartsWith("--", StringComparison.Ordinal)));
                var option = bare.a is null ? null : options.First(o => o.Names.Contains(bare.a));
                return option is null ? null : $"{bare.a} needs a value: {Expected(option.Type)}.";
            }
            for (int i = 0; i < args.Count; i++)
            {
                string? written = null;
                if (args[i] == value && i > 0 && args[i - 1].StartsWith('-')) written = args[i - 1];
                else if (args[i].EndsWith("=" + value, StringComparison.Ordinal) || args[i].EndsWith(":" + value, StringComparison.Ordinal)) written = args[i][..^(value.Length + 1)];
                var option = written is null ? null : options.FirstOrDefault(o => o.Names.Contains(written));
                if (option is not null) return $"{written} '{value}' is not {Expected(option.Type)}.";
            }
        }
        return null;
    }

    sealed record Option(IReadOnlyList<string> Names, Type Type, bool Flag);

    static List<Option> Options(Type settings) => settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (p, a: p.GetCustomAttribute<CommandOptionAttribute>()))
        .Where(x => x.a is not null)
        .Select(x => new Option(x.a!.LongNames.Select(n => "--" + n).Concat(x.a.ShortNames.Select(n => "-" + n)).ToList(), x.p.PropertyType,
            x.p.PropertyType == typeof(bool) || x.p.PropertyType == typeof(bool?)))
        .ToList();

    static (string? Command, Type? Settings) CommandOf(IReadOnlyList<string> args)
    {
        if (args.Count >= 2 && Settings.TryGetValue(args[0] + " " + args[1], out var branch)) return (args[0] + " " + args[1], branch);
        return args.Count >= 1 && Settings.TryGetValue(args[0], out var settings) ? (args[0], settings) : (null, null);
    }

    static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "a whole number (e.g. 3)";
        if (type == typeof(double) || type == typeof(float)) return "a number (e.g. 0.001)";
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        if (type.IsArray) return "a value (the option may be repeated)";
        return "a value";
    }
}
