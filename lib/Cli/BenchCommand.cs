using System.ComponentModel;
using MiDpg.Research.Training.Benchmarks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`bench`: the throughput-v1 workload; one JSON line per model, fields as the PyTorch peer's plus peak_rss_mb.</summary>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <NAMES>")]
        [Description("dnn, dpg-r, midpg-r, or a comma-separated list (default: all three).")]
        public string Model { get; init; } = "dnn,dpg-r,midpg-r";

        [CommandOption("--rows <N>")]
        [Description("Rows of the workload (default 200000; 90% are trained for one epoch).")]
        public int Rows { get; init; } = 200_000;

        [CommandOption("--threads <N>")]
        [Description("torch intra-op threads (default 2).")]
        public int Threads { get; init; } = 2;

        public override ValidationResult Validate()
        {
            if (Rows < 1000) return ValidationResult.Error("--rows must be at least 1000.");
            if (Threads < 1) return ValidationResult.Error("--threads must be at least 1.");
            foreach (var m in Model.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!ThroughputWorkload.Models.Contains(m)) return ValidationResult.Error($"--model: '{m}' is not one of {string.Join(", ", ThroughputWorkload.Models)}.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var data = ThroughputWorkload.Data(settings.Rows);
        foreach (var model in settings.Model.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            Console.WriteLine(ThroughputWorkload.Run(model, settings.Rows, settings.Threads, data: data).ToJson());
        return 0;
    }
}
