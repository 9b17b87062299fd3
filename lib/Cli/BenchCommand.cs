using System.ComponentModel;
using MiDpg.Research.Training;
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
        [Description("Threads for training (default 2); how they are used: --parallel.")]
        public int Threads { get; init; } = 2;

        [CommandOption("--parallel <MODE>")]
        [Description("shards (default): each batch is cut into --threads shards trained concurrently, one intra-op thread each (DataParallelStep, the same gradient); intra-op: one pass per batch, --threads torch intra-op threads.")]
        public string Parallel { get; init; } = "shards";

        public int Shards => Parallel == "shards" ? Threads : 1;

        [CommandOption("--embedding-update <MODE>")]
        [Description("How Adam updates the embedding tables: lazy (default; rows the batch used, see LazyAdam) or dense (torch.optim.Adam, every row).")]
        public string EmbeddingUpdate { get; init; } = "lazy";

        [CommandOption("--dwm-kernel <KERNEL>")]
        [Description("How DPG / MI-DPG apply their DWM layers on the CPU: fused (default; FusedDwm, hand-written forward and backward) or torch (the same function as torch ops). For measuring the kernel.")]
        public string DwmKernel { get; init; } = "fused";

        public bool FusedKernel => DwmKernel == "fused";

        [CommandOption("--profile")]
        [Description("Instead of the epoch, print where one training step's time goes (phases, then each component).")]
        public bool Profile { get; init; }

        [CommandOption("--profile-steps <N>")]
        [Description("Steps timed by --profile (default 60, after 10 warm-up steps).")]
        public int ProfileSteps { get; init; } = 60;

        [CommandOption("--profile-batch <N>")]
        [Description("Batch size of --profile (default 512, the workload's; a small one shows the fixed cost per step).")]
        public int ProfileBatch { get; init; } = 512;

        public AdamUpdate Update => EmbeddingUpdate == "dense" ? AdamUpdate.Dense : AdamUpdate.Lazy;

        public override ValidationResult Validate()
        {
            if (Rows < 1000) return ValidationResult.Error("--rows must be at least 1000.");
            if (Threads < 1) return ValidationResult.Error("--threads must be at least 1.");
            if (Parallel is not ("shards" or "intra-op")) return ValidationResult.Error($"--parallel must be shards or intra-op; got '{Parallel}'.");
            if (EmbeddingUpdate is not ("lazy" or "dense")) return ValidationResult.Error($"--embedding-update must be lazy or dense; got '{EmbeddingUpdate}'.");
            if (DwmKernel is not ("fused" or "torch")) return ValidationResult.Error($"--dwm-kernel must be fused or torch; got '{DwmKernel}'.");
            if (ProfileBatch < 2) return ValidationResult.Error("--profile-batch must be at least 2.");
            if (ProfileSteps < 1) return ValidationResult.Error("--profile-steps must be at least 1.");
            foreach (var m in Model.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!ThroughputWorkload.Models.Contains(m)) return ValidationResult.Error($"--model: '{m}' is not one of {string.Join(", ", ThroughputWorkload.Models)}.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var data = ThroughputWorkload.Data(settings.Rows);
        foreach (var model in settings.Model.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            Console.WriteLine(settings.Profile
                ? StepProfile.Run(model, data, settings.Threads, settings.ProfileSteps, embeddingUpdate: settings.Update, batchSize: settings.ProfileBatch, fusedKernel: settings.FusedKernel).ToText()
                : ThroughputWorkload.Run(model, settings.Rows, settings.Threads, data: data, embeddingUpdate: settings.Update, shards: settings.Shards, fusedKernel: settings.FusedKernel).ToJson());
        return 0;
    }
}
