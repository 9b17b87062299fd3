using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MiDpg.Research.Notebooks;

/// <summary>One variable the parameters cell of a notebook declares, e.g. <c>int epochs = quick ? 1 : 10;</c>.</summary>
public sealed record NotebookParameter(string Type, string Name);

/// <summary>
/// Notebook parameters, papermill's convention: each notebook's first code cell, "// Parameters", carries the cell tag
/// <c>parameters</c>; a run can override any variable it declares by an assignment injected as a new cell right after it
/// (tagged <c>injected-parameters</c>), so the defaults stay visible above the override.
/// </summary>
public static partial class NotebookParameters
{
    public const string Tag = "parameters";
    public const string InjectedTag = "injected-parameters";

    [GeneratedRegex(@"^\s*(?<type>[A-Za-z_][\w.]*(?:<[^=]*?>)?(?:\[\])*\??)\s+(?<name>[A-Za-z_]\w*)\s*=", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^[A-Za-z_]\w*$")]
    private static partial Regex Identifier();

    /// <summary>The source of the cell tagged <see cref="Tag"/>; an error naming the notebook when there is none.</summary>
    public static string Cell(string notebook)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(notebook)); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{notebook}: not a notebook ({e.Message})."); }
        foreach (var cell in root?["cells"]?.AsArray() ?? [])
        {
            if (cell?["cell_type"]?.GetValue<string>() != "code") continue;
            var tags = cell["metadata"]?["tags"]?.AsArray().Select(t => t?.GetValue<string>()) ?? [];
            if (!tags.Contains(Tag)) continue;
            var source = cell["source"];
            return source is JsonArray lines ? string.Concat(lines.Select(l => l?.GetValue<string>())) : source?.GetValue<string>() ?? "";
        }
        throw new InvalidDataException($"{notebook}: no code cell is tagged '{Tag}', so it takes no parameters.");
    }

    /// <summary>The variables the parameters cell declares, in order.</summary>
    public static IReadOnlyList<NotebookParameter> Declared(string notebook) =>
        Declaration().Matches(Cell(notebook)).Select(m => new NotebookParameter(m.Groups["type"].Value, m.Groups["name"].Value)).ToList();

    /// <summary>
    /// Parses overrides "NAME=EXPRESSION" (the expression is C#, e.g. <c>epochs=3</c>, <c>datasets=new[] { "douban" }</c>) and
    /// checks each name against what <paramref name="notebook"/> declares. Returns the C# source of the injected cell.
    /// </summary>
    public static string Injection(string notebook, IReadOnlyList<string> overrides)
    {
        var declared = Declared(notebook);
        var lines = new List<string> { "// Injected parameters (notebooks --param), overriding the parameters cell above" };
        foreach (var item in overrides)
        {
            var eq = item.IndexOf('=');
            var name = eq < 0 ? item.Trim() : item[..eq].Trim();
            var expression = eq < 0 ? "" : item[(eq + 1)..].Trim();
            if (!Identifier().IsMatch(name) || expression.Length == 0)
                throw new ArgumentException($"--param '{item}' must look like NAME=EXPRESSION (a C# expression), e.g. epochs=3.");
            if (declared.All(p => p.Name != name))
                throw new ArgumentException($"{Path.GetFileName(notebook)} has no parameter '{name}'; its parameters: {string.Join(", ", declared.Select(p => p.Name))}.");
            lines.Add($"{name} = {expression};");
        }
        return string.Join("\n", lines);
    }
}
