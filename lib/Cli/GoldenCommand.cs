using System.ComponentModel;
using MiDpg.Research.Models;
using MiDpg.Research.Platform;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace MiDpg.Research.Cli;

/// <summary>`golden`: the library's DNN, DPG-R and MI-DPG-R against the PyTorch peer on the same weights and batch
/// (lib/Models/PeerGolden.cs); with --write-fixtures it regenerates the committed fixtures of the golden test.</summary>
public sealed class GoldenCommand : Command<GoldenCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--models <LIST>")]
        [Description("Models the peer implements: dnn, dpg-r, midpg-r (default: all three).")]
        public string Models { get; init; } = string.Join(",", PeerCase.Models);

        [CommandOption("--peer <FILE>")]
        [Description("The peer script (default: $MIDPG_PEER, else ../shared/bench/midpg_ref.py beside the repository).")]
        public string? Peer { get; init; }

        [CommandOption("--python <FILE>")]
        [Description("Python with torch (default: /usr/bin/python3, Debian's python3-torch).")]
        public string Python { get; init; } = "/usr/bin/python3";

        [CommandOption("--out <DIR>")]
        [Description("Where the cases go, one folder per model (default: output/golden; with --write-fixtures tests/Models/Golden).")]
        public string? Out { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the weights and of the batch (default 7).")]
        public int Seed { get; init; } = 7;

        [CommandOption("--rows <N>")]
        [Description("Batch size of the case (default 32).")]
        public int Rows { get; init; } = 32;

        [CommandOption("--write-fixtures")]
        [Description("Write the cases and the peer's answers into tests/Models/Golden (the golden test's fixtures).")]
        public bool WriteFixtures { get; init; }

        public override ValidationResult Validate() =>
            Rows < 2 ? ValidationResult.Error("--rows must be at least 2.") : ValidationResult.Success();
    }

    /// <summary>The peer script: the option, $MIDPG_PEER, or ../shared/bench/midpg_ref.py beside the repository.</summary>
    public static string? FindPeer(string? given = null)
    {
        var candidate = given ?? Environment.GetEnvironmentVariable("MIDPG_PEER")
                        ?? Path.GetFullPath(Path.Combine(RepositoryPaths.Root(), "..", "shared", "bench", "midpg_ref.py"));
        return File.Exists(candidate) ? candidate : null;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchSharpNative.EnsureLoaded();
        var models = settings.Models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var m in models)
            if (!PeerCase.Models.Contains(m)) throw new CliError($"--models: '{m}' is not a model the peer implements ({string.Join(", ", PeerCase.Models)}).");
        var peer = FindPeer(settings.Peer)
                   ?? throw new CliError($"The peer script was not found ({settings.Peer ?? "$MIDPG_PEER or ../shared/bench/midpg_ref.py"}); pass --peer FILE.");
        if (!File.Exists(settings.Python)) throw new CliError($"--python: {settings.Python} does not exist (apt-get install python3-torch).");
        var outRoot = settings.Out ?? (settings.WriteFixtures
            ? Path.Combine(RepositoryPaths.Root(), "tests", "Models", "Golden")
            : Path.Combine("output", "golden"));

        var table = new Table().AddColumns("model", "dtype", "shards", "loss terms", "logits", "worst gradient", "verdict")
            .Caption($"largest relative error |ours - peer| / max |peer|; agree: <= {PeerGolden.Format(PeerGolden.Float64Tolerance)} in float64, <= {PeerGolden.Format(PeerGolden.Float32Tolerance)} in float32");
        var failed = false;
        foreach (var name in models)
        {
            var dir = Path.Combine(outRoot, name);
            if (Directory.Exists(dir))
            {
                if (!File.Exists(Path.Combine(dir, "meta.json")))
                    throw new CliError($"{dir} exists and is not a golden case; refusing to replace it.");
                Directory.Delete(dir, recursive: true);
            }
            var c = new PeerCase { Model = name };
            manual_seed(settings.Seed);
            using (var model = c.Build())
                PeerGolden.Export(model, c, PeerBatch.Random(c, settings.Rows, settings.Seed), dir);
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(PeerGolden.RunPeer(peer, dir, settings.Python))}[/]");
            var answer = PeerGolden.ReadPeer(dir);
            foreach (var (dtype, tolerance) in new[] { (ScalarType.Float64, PeerGolden.Float64Tolerance), (ScalarType.Float32, PeerGolden.Float32Tolerance) })
                foreach (var shards in new[] { 1, 2 })
                {
                    var (caseRead, model, batch) = PeerGolden.Import(dir, dtype);
                    using var _ = model;
                    var differences = PeerGolden.Compare(PeerGolden.Evaluate(model, caseRead, batch, shards), answer);
                    var loss = differences.Where(d => d.Name is "bce" or "mi" or "total").Max(d => d.RelativeError);
                    var logits = differences.Single(d => d.Name == "logits").RelativeError;
                    var worst = differences.Where(d => d.Name.StartsWith("grad ")).MaxBy(d => d.RelativeError)!;
                    var ok = differences.All(d => d.RelativeError <= tolerance);
                    failed |= !ok;
                    table.AddRow(name, dtype == ScalarType.Float64 ? "f64" : "f32", shards.ToString(), PeerGolden.Format(loss), PeerGolden.Format(logits),
                        Markup.Escape($"{PeerGolden.Format(worst.RelativeError)} ({worst.Name[5..]})"),
                        ok ? "[green]agree[/]" : "[red]differ[/]");
                }
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"cases and the peer's answers: {Path.GetFullPath(outRoot)}");
        return failed ? 1 : 0;
    }
}
