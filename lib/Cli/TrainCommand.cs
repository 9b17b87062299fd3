using System.ComponentModel;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`train`: one model on one dataset; prints the history and the test metrics per scenario.</summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandOption("-m|--model <NAME>")]
        [Description("Model name, e.g. midpg-r (see `experiment --help` for the list).")]
        public string Model { get; init; } = "midpg-r";

        [CommandOption("--seed <N>")]
        [Description("Seed of the model's initialisation and the shuffles.")]
        public int Seed { get; init; } = 1;

        [CommandOption("--save <DIR>")]
        [Description("Save the trained model with its config and vocabularies to DIR (checked writable before training; a folder that already holds a saved model needs --overwrite).")]
        public string? Save { get; init; }

        [CommandOption("--overwrite")]
        [Description("With --save: replace a model already saved in DIR.")]
        public bool Overwrite { get; init; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful) return b;
            if (Overwrite && Save is null) return ValidationResult.Error("--overwrite needs --save DIR.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sources = settings.Datasets();
        if (sources.Count != 1) throw new CliError("train takes one dataset; use `experiment` for several.");
        var trainer = settings.Trainer(settings.Seed);
        if (settings.Save is not null)
        {
            // Before training, not after: a folder that cannot be written, or a saved model that would be replaced unasked.
            if (File.Exists(Path.Combine(settings.Save, ModelStore.ManifestFile)) && !settings.Overwrite)
                throw new CliError($"--save {settings.Save}: the folder already holds a saved model ({ModelStore.ManifestFile}); choose another folder or add --overwrite.");
            OutputChecks.RequireWritableFolder("--save", settings.Save);
        }
        AnsiConsole.MarkupLine($"[bold]loading[/] {Markup.Escape(sources[0].Name)}");
        var data = sources[0].Load().RequireRows();
        AnsiConsole.WriteLine($"train {data.Train.Rows}, valid {data.Valid.Rows}, test {data.Test.Rows} rows; {data.Train.ScenarioCount} scenarios");
        if (data.Report is not null) AnsiConsole.WriteLine(data.Report.ToString());   // every skipped row and counted handling
        TorchSharp.torch.manual_seed(settings.Seed);
        using var model = CliModels.Create(settings.Model, ModelData.Features(data.Train), settings.ModelSettings());
        var parameters = ModelRegistry.ParameterCounts(model);
        AnsiConsole.WriteLine($"{model.Kind}: {parameters["total"]:N0} parameters ({string.Join(", ", parameters.Where(p => p.Key != "total").Select(p => $"{p.Key} {p.Value:N0}"))})");

        TrainingResult result = null!;
        Progress.Run($"{settings.Model} ", reporter => result = new Trainer(trainer).Fit(model, data.Train, data.Valid, reporter));

        var test = Evaluation.Evaluate(model, data.Test);
        var table = new Table().Title($"{model.Kind} on {Markup.Escape(data.Name)}: test").AddColumns("scenario", "rows", "positives", "AUC", "LogLoss");
        foreach (var s in test.Scenarios)
            table.AddRow(Markup.Escape(s.Scenario), s.N.ToString(), s.Positives.ToString(), s.Auc.ToString("F4"), s.LogLoss.ToString("F4"));
        table.AddRow("[bold]all[/]", test.Rows.ToString(), "", $"[bold]{test.Auc:F4}[/]", $"[bold]{test.LogLoss:F4}[/]");
        AnsiConsole.Write(table);
        if (double.IsNaN(test.Auc))
            AnsiConsole.WriteLine($"note: the test AUC is undefined (NaN): the test part's {test.Rows} row(s) hold one class only.");
        if (settings.Save is not null)
        {
            ModelStore.Save(model, settings.Save, data.Encoder.ToJson());
            AnsiConsole.WriteLine($"saved to {Path.GetFullPath(settings.Save)}");
        }
        return 0;
    }
}

/// <summary>Console progress around a training run: a live bar on a terminal, epoch lines always.</summary>
static class Progress
{
    public static void Run(string prefix, Action<ITrainingReporter> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            train(new ConsoleReporter(null, prefix));
            return;
        }
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => train(new ConsoleReporter(ctx.AddTask(prefix), prefix)));
    }
}
