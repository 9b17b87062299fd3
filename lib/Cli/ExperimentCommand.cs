using System.ComponentModel;
using System.Globalization;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`experiment`: models x datasets x trials into the results store, then the Table-1 summary.</summary>
public sealed class ExperimentCommand : Command<ExperimentCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandOption("--models <NAMES>")]
        [Description("Comma-separated registry names, or 'all' (dnn, ple, star, pepnet, adasparse, apg, optmsm, dpg-non, dpg-rc, dpg-r, dpg-c, midpg-non, midpg-rc, midpg-r, midpg-c). Default: all.")]
        public string Models { get; init; } = "all";

        [CommandOption("--trials <N>")]
        [Description("Number of trials (seeds 1..N). Default 10 as in the paper; 3 in quick mode.")]
        public int? Trials { get; init; }

        [CommandOption("--tune")]
        [Description("Select each model's hyperparameters on validation AUC first (its search space: learning rate, λ for MI-DPG, ...), then run the trials at the chosen configuration. The test part is never used for selection.")]
        public bool Tune { get; init; }

        [CommandOption("--tune-budget <N>")]
        [Description("Configurations trained per model when tuning, equal for every model (default 6; the default configuration is always one of them).")]
        public int TuneBudget { get; init; } = 6;

        [CommandOption("--search <STRATEGY>")]
        [Description("How tuning picks configurations beyond the default: random (default) or grid.")]
        public string Search { get; init; } = "random";

        [CommandOption("--tune-seed <N>")]
        [Description("Seed of the tuning draw and of the tuning trainings (default 0, apart from the trial seeds 1..N).")]
        public int TuneSeed { get; init; }

        [CommandOption("--seeds <LIST>")]
        [Description("Explicit comma-separated trial seeds (overrides --trials).")]
        public string? Seeds { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("Experiment name in the results store (default: table1, or table1-quick in quick mode).")]
        public string? Name { get; init; }

        [CommandOption("--runs <DIR>")]
        [Description("Results store folder (default: runs).")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--out <DIR>")]
        [Description("Where the summary (Markdown, CSV) is written (default: output/report).")]
        public string Out { get; init; } = Path.Combine("output", "report");

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (Trials is < 1) return ValidationResult.Error("--trials must be at least 1.");
            if (TuneBudget < 1) return ValidationResult.Error("--tune-budget must be at least 1.");
            if (!Enum.TryParse<SearchStrategy>(Search, ignoreCase: true, out _)) return ValidationResult.Error($"--search '{Search}' must be random or grid.");
            if (Seeds is not null && ParseSeeds(Seeds) is null) return ValidationResult.Error($"--seeds '{Seeds}' must be a comma-separated list of distinct integers.");
            if (OutputChecks.NameProblem("--name", Name) is { } nameProblem) return ValidationResult.Error(nameProblem);
            return ValidationResult.Success();
        }

        internal static int[]? ParseSeeds(string text)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var seeds = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out seeds[i])) return null;
            return seeds.Length == 0 || seeds.Distinct().Count() != seeds.Length ? null : seeds;
        }

        internal IReadOnlyList<string> ModelNames()
        {
            if (Models.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return ModelRegistry.Names;
            var names = Models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).ToList();
            var unknown = names.Where(n => !ModelRegistry.Contains(n)).ToList();
            if (unknown.Count > 0) throw new CliError($"--models: unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ModelRegistry.Names)}.");
            return names;
        }

        internal IReadOnlyList<int> TrialSeeds() =>
            Seeds is not null ? ParseSeeds(Seeds)! : Enumerable.Range(1, Trials ?? (Quick ? 3 : 10)).ToArray();

        internal TuningSpec? Tuning() => Tune
            ? new TuningSpec { Budget = TuneBudget, Strategy = Enum.Parse<SearchStrategy>(Search, ignoreCase: true), Seed = TuneSeed }.Validated()
            : null;

        internal string ExperimentName => Name ?? (Quick ? "table1-quick" : "table1");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Where the results and the summary go must be writable before the first training, not after it.
        OutputChecks.RequireWritableFolder("--runs", settings.Runs);
        OutputChecks.RequireWritableFolder("--out", settings.Out);
        var spec = new ExperimentSpec
        {
            Name = settings.ExperimentName,
            Models = settings.ModelNames(),
            Datasets = settings.Datasets(),
            Seeds = settings.TrialSeeds(),
            Trainer = settings.Trainer(),
            Settings = settings.ModelSettings(),
            Tuning = settings.Tuning(),
        };
        Run(spec, settings.Runs, settings.Out, cancellationToken);
        return 0;
    }

    /// <summary>Runs the experiment (resuming), then writes and prints its summary. Returns the summary.</summary>
    internal static IReadOnlyList<SummaryRow> Run(ExperimentSpec spec, string runs, string outDir, CancellationToken cancellationToken = default)
    {
        var store = new ResultsStore(runs);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(spec.Name)}[/]: {spec.Models.Count} model(s) x {spec.Datasets.Count} dataset(s) x {spec.Seeds.Count} trial(s)" +
                               (spec.Tuning is null ? "" : $", tuned first ({Markup.Escape(spec.Tuning.ToString())})") + $"; results in {Markup.Escape(store.Root)}");
        var runner = new ExperimentRunner(store, CliModels.Factory, Console.Out)
        {
            Reporter = (dataset, model, trial) => new ConsoleReporter(null, $"  {dataset} / {model} / trial {trial}: "),
            TuningReporter = (dataset, model, candidate) => new ConsoleReporter(null, $"  {dataset} / {model} / tuning {candidate.Key}: "),
        };
        ExperimentRunner.Outcome outcome;
        try { outcome = runner.Run(spec, cancellationToken); }
        catch (OperationCanceledException)
        {
            throw new Interrupted($"{spec.Name} interrupted: every finished training is kept in {store.Root}; run the same command again to resume.");
        }
        AnsiConsole.WriteLine($"trained {outcome.Trained} trial(s), {outcome.Skipped} already recorded" + (spec.Tuning is null ? "" : $"; {outcome.Tuned} tuning candidate(s) trained") +
                              (outcome.Retrained == 0 ? "" : $"; {outcome.Retrained} damaged record(s) set aside and trained again"));
        if (outcome.Legacy + outcome.LegacyCandidates > 0)
            AnsiConsole.WriteLine($"legacy records used: {outcome.Legacy} trial(s) and {outcome.LegacyCandidates} tuning candidate(s) written before checksums and fingerprints " +
                                  "(checked structurally, matched by seed and hyperparameters).");
        return ReportCommand.Write(store, spec.Name, outDir);
    }
}
