using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiDpg.Research.Notebooks;

/// <summary>One output of a cell: its kind (display, return value, stdout, stderr), MIME type and text.</summary>
public sealed record KernelOutput(string Kind, string MimeType, string Text);

/// <summary>What a submitted cell produced: success or the kernel's error, its outputs and compiler diagnostics.</summary>
public sealed record KernelCellResult(bool Succeeded, string? Error, IReadOnlyList<KernelOutput> Outputs, IReadOnlyList<string> Diagnostics)
{
    /// <summary>Compiler warnings shown to the user: diagnostics, or (Jupyter) the stderr text the kernel turns them into.</summary>
    public IEnumerable<string> Warnings =>
        Diagnostics.Concat(Outputs.Where(o => o.Kind == "stderr").Select(o => o.Text))
            .Where(t => t.Contains("warning CS", StringComparison.Ordinal));
}

/// <summary>
/// A client of .NET Interactive's stdio transport, the one VS Code's Polyglot Notebooks extension speaks: the kernel
/// writes one JSON event envelope per line to standard output (first <c>KernelReady</c>), and reads one command envelope
/// per line (<c>SubmitCode</c> with a token; the events it causes carry that token, or the token with a suffix for the
/// commands it spawns, and end with <c>CommandSucceeded</c> or <c>CommandFailed</c>).
/// </summary>
public sealed class StdioKernelClient : IDisposable
{
    readonly Process process;
    readonly BlockingCollection<JsonObject> events = new();
    readonly StringBuilder standardError = new();

    StdioKernelClient(Process process) => this.process = process;

    /// <summary>Starts the kernel and waits for its <c>KernelReady</c> event.</summary>
    public static StdioKernelClient Start(ProcessStartInfo start, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var client = new StdioKernelClient(process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (client.standardError) client.standardError.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var reader = new Thread(client.ReadEvents) { IsBackground = true, Name = "kernel stdout" };
        reader.Start();
        try
        {
            client.WaitFor(e => (string?)e["eventType"] == "KernelReady", timeout, cancellationToken, "the kernel to be ready");
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return client;
    }

    /// <summary>What the kernel wrote to standard error so far (its log; launch problems land here).</summary>
    public string StandardError { get { lock (standardError) return standardError.ToString(); } }

    /// <summary>Submits <paramref name="code"/> to the C# kernel and collects everything it produced until it ends.</summary>
    public KernelCellResult Submit(string code, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var token = Guid.NewGuid().ToString();
        var command = new JsonObject
        {
            ["token"] = token,
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = "csharp" },
            ["routingSlip"] = new JsonArray(),
        };
        process.StandardInput.WriteLine(command.ToJsonString());
        process.StandardInput.Flush();

        var outputs = new List<KernelOutput>();
        var diagnostics = new List<string>();
        string? error = null;
        bool? succeeded = null;
        while (succeeded is null)
        {
            var e = WaitFor(e => Belongs(e, token), timeout, cancellationToken, $"the cell to finish ({Shorten(code)})");
            var type = (string?)e["eventType"];
            var body = e["event"] as JsonObject;
            var own = (string?)e["command"]?["token"] == token;   // not an event of a command it spawned
            switch (type)
            {
                case "DisplayedValueProduced" or "DisplayedValueUpdated" or "ReturnValueProduced" or "StandardOutputValueProduced" or "StandardErrorValueProduced":
                    var kind = type switch
                    {
                        "ReturnValueProduced" => "result",
                        "StandardOutputValueProduced" => "stdout",
                        "StandardErrorValueProduced" => "stderr",
                        _ => "display",
                    };
                    foreach (var value in body?["formattedValues"]?.AsArray() ?? [])
                        outputs.Add(new KernelOutput(kind, (string?)value?["mimeType"] ?? "", (string?)value?["value"] ?? ""));
                    break;
                case "DiagnosticsProduced":
                    foreach (var value in body?["formattedDiagnostics"]?.AsArray() ?? [])
                        diagnostics.Add((string?)value?["value"] ?? "");
                    break;
                case "CommandFailed" when own:
                    error = (string?)body?["message"] ?? "failed";
                    succeeded = false;
                    break;
                case "CommandSucceeded" when own:
                    succeeded = true;
                    break;
            }
        }
        return new KernelCellResult(succeeded.Value, error, outputs, diagnostics);
    }

    static bool Belongs(JsonObject e, string token) =>
        (string?)e["command"]?["token"] is { } t && (t == token || t.StartsWith(token + ".", StringComparison.Ordinal));

    static string Shorten(string code)
    {
        var line = code.Split('\n')[0].Trim();
        return line.Length > 60 ? line[..60] + "…" : line;
    }

    JsonObject WaitFor(Func<JsonObject, bool> match, TimeSpan timeout, CancellationToken cancellationToken, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}. Kernel stderr:\n{StandardError}");
            if (events.TryTake(out var e, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)))
            {
                if (match(e)) return e;
            }
            else if (events.IsCompleted)
                throw new InvalidOperationException($"The kernel exited (code {ExitCode()}) while waiting for {what}. Kernel stderr:\n{StandardError}");
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    string ExitCode()
    {
        try { return process.WaitForExit(1000) ? process.ExitCode.ToString() : "still running"; }
        catch (InvalidOperationException) { return "unknown"; }
    }

    void ReadEvents()
    {
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.Length == 0 || line[0] != '{') continue;
                try
                {
                    if (JsonNode.Parse(line) is JsonObject e) events.Add(e);
                }
                catch (JsonException) { /* a log line that happens to start with a brace */ }
            }
        }
        finally { events.CompleteAdding(); }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(3000)) process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
