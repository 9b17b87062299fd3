using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiDpg.Research.Notebooks;

/// <summary>
/// How VS Code's Polyglot Notebooks extension starts a kernel for a notebook, read from workspace settings
/// (<c>.vscode/settings.json</c>): the command line <c>dotnet-interactive.kernelTransportArgs</c> and the process's folder
/// <c>dotnet-interactive.kernelTransportWorkingDirectory</c>, with the placeholders the extension replaces —
/// <c>{dotnet_path}</c>, <c>{global_storage_path}</c> (the extension's own storage) and <c>{working_dir}</c> (the folder of the
/// notebook's file). Reproduces the extension's <c>processArguments</c> (polyglot-notebooks-vscode-common, utilities.ts):
/// each placeholder is replaced once per argument, the first argument is the program, the rest its arguments.
/// A setting the file does not contain takes the extension's default.
/// </summary>
public sealed record VsCodeKernelLaunch(IReadOnlyList<string> ArgumentsTemplate, string WorkingDirectoryTemplate)
{
    public const string ArgumentsSetting = "dotnet-interactive.kernelTransportArgs";
    public const string WorkingDirectorySetting = "dotnet-interactive.kernelTransportWorkingDirectory";

    /// <summary>The extension's defaults (package.json): the tool from the manifest nearest the storage folder.</summary>
    public static readonly IReadOnlyList<string> DefaultArguments =
        ["{dotnet_path}", "tool", "run", "dotnet-interactive", "--", "[vscode]", "stdio", "--working-dir", "{working_dir}"];
    public const string DefaultWorkingDirectory = "{global_storage_path}";

    /// <summary>Reads the two settings from a VS Code settings file (JSON with comments and trailing commas).</summary>
    public static VsCodeKernelLaunch FromSettings(string settingsPath)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(settingsPath), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{settingsPath}: line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {e.Message}");
        }
        if (root is not JsonObject settings) throw new InvalidDataException($"{settingsPath}: the settings are not a JSON object.");
        var arguments = settings[ArgumentsSetting] switch
        {
            null => DefaultArguments,
            JsonArray array when array.Count > 0 && array.All(a => a is JsonValue v && v.TryGetValue<string>(out _)) =>
                array.Select(a => a!.GetValue<string>()).ToArray(),
            _ => throw new InvalidDataException($"{settingsPath}: '{ArgumentsSetting}' must be a non-empty array of strings."),
        };
        var workingDirectory = settings[WorkingDirectorySetting] switch
        {
            null => DefaultWorkingDirectory,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw new InvalidDataException($"{settingsPath}: '{WorkingDirectorySetting}' must be a string."),
        };
        return new VsCodeKernelLaunch(arguments, workingDirectory);
    }

    /// <summary>
    /// The process the extension starts for <paramref name="notebookPath"/>: placeholders replaced as the extension does,
    /// standard input and output redirected (the stdio transport: one JSON envelope per line each way).
    /// </summary>
    public ProcessStartInfo Resolve(string notebookPath, string dotnetPath, string globalStoragePath)
    {
        var values = new Dictionary<string, string>
        {
            ["dotnet_path"] = dotnetPath,
            ["global_storage_path"] = globalStoragePath,
            ["working_dir"] = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!,
        };
        var resolved = ArgumentsTemplate.Select(a => Replace(a, values)).ToArray();
        var start = new ProcessStartInfo(resolved[0])
        {
            WorkingDirectory = Replace(WorkingDirectoryTemplate, values),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in resolved.Skip(1)) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The extension's <c>performReplacement</c>: the first occurrence of each <c>{key}</c>, keys in order.</summary>
    static string Replace(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = template;
        foreach (var (key, value) in values)
        {
            var placeholder = "{" + key + "}";
            var at = result.IndexOf(placeholder, StringComparison.Ordinal);
            if (at >= 0) result = string.Concat(result.AsSpan(0, at), value, result.AsSpan(at + placeholder.Length));
        }
        return result;
    }
}
