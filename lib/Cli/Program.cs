using MiDpg.Research.Cli;
using MiDpg.Research.Data;
using MiDpg.Research.Training.Experiments;
using Spectre.Console.Cli;

// The command line: `dotnet run -c Release -- <command>` from the repository root.
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("dotnet run -c Release --");
    config.AddCommand<InfoCommand>(ArgumentErrors.Register<InfoCommand>("info")).WithDescription("Versions of TorchSharp and libtorch, threads, device, and the platform fixes applied.");
    config.AddCommand<SetupCommand>(ArgumentErrors.Register<SetupCommand>("setup")).WithDescription("Prepare the .NET Interactive kernel and the native fixes (called by environment/setup.sh).");
    config.AddCommand<TrainCommand>(ArgumentErrors.Register<TrainCommand>("train")).WithDescription("Train one model on one dataset; print the history and test AUC/LogLoss per scenario.")
        .WithExample("train", "--model", "midpg-r", "--data", "synthetic,rows=50000");
    config.AddCommand<ExperimentCommand>(ArgumentErrors.Register<ExperimentCommand>("experiment")).WithDescription("Models x datasets x trials into the results store (resumable), then the Table-1 summary with paired t-tests.")
        .WithExample("experiment", "--models", "dnn,star,midpg-r", "--trials", "3", "--quick");
    config.AddCommand<SweepCommand>(ArgumentErrors.Register<SweepCommand>("sweep")).WithDescription("Low-rank sweep over d_k, d_r, d_c for each DWM variant, with APG at matched parameter budgets.")
        .WithExample("sweep", "--variants", "r", "--ranks", "1,2", "--quick");
    config.AddCommand<ReportCommand>(ArgumentErrors.Register<ReportCommand>("report")).WithDescription("Write the Table-1-style summary (Markdown + CSV) of an experiment in the results store.");
    config.AddCommand<BenchCommand>(ArgumentErrors.Register<BenchCommand>("bench")).WithDescription("The throughput-v1 training benchmark (shared/bench/WORKLOAD.md): one JSON line per model.")
        .WithExample("bench", "--model", "midpg-r", "--rows", "200000", "--threads", "2");
    config.AddCommand<GoldenCommand>(ArgumentErrors.Register<GoldenCommand>("golden")).WithDescription("DNN, DPG-R and MI-DPG-R against the independent PyTorch peer on the same weights and batch: loss terms, logits, every gradient.")
        .WithExample("golden", "--write-fixtures");
    config.AddCommand<ReproduceCommand>(ArgumentErrors.Register<ReproduceCommand>("reproduce")).WithDescription("The baselines both packages have, trained by ours and by Scenario-Wise-Rec on the same rows and settings; the report docs/reproduction/scenario-wise-rec.md.")
        .WithExample("reproduce", "scenario-wise-rec", "--quick");
    config.AddBranch("data", data =>
    {
        data.SetDescription("Look at a data file of your own: `data describe FILE` profiles it and writes a starter schema for --data file:SCHEMA.json.");
        data.AddCommand<DataDescribeCommand>(ArgumentErrors.Register<DataDescribeCommand>("data describe"))
            .WithDescription("Per column: type guess, distinct values, missing share, top values; the label balance per candidate scenario column; writes a starter schema file (never over an existing one without --force).")
            .WithExample("data", "describe", "my_events.csv", "--label", "converted", "--schema-out", "my_events.schema.json");
    });
    config.AddCommand<NotebooksCommand>(ArgumentErrors.Register<NotebooksCommand>("notebooks")).WithDescription("Execute notebooks top to bottom through the real .NET Interactive Jupyter kernel.");
    config.AddCommand<KernelCheckCommand>(ArgumentErrors.Register<KernelCheckCommand>("kernel-check")).WithDescription("Start the notebook kernel as VS Code (.vscode/settings.json) and Jupyter (the .net-csharp kernelspec) do, run the loading cells and a chart cell, and say whether the chart came back cleanly.")
        .WithExample("kernel-check", "--route", "vscode");
    config.AddCommand<MainJobCommand>(ArgumentErrors.Register<MainJobCommand>("main")).WithDescription("The main job on the embedded default: execute every notebook, write executed copies and figures to an output folder.");
    config.UseStrictParsing();   // an unknown or misspelled option is an error naming it, never silently ignored
    config.PropagateExceptions();
});
// Ctrl+C cancels the token the commands receive (training stops within a step) instead of killing the process;
// a second Ctrl+C ends it at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("interrupting after the current step (Ctrl+C again to kill)...");
    interrupt.Cancel();
};
try
{
    return app.Run(args, interrupt.Token);
}
catch (Interrupted e)
{
    Console.Error.WriteLine(e.Message);
    return 130;
}
catch (Exception e) when (e is CommandParseException or CommandRuntimeException)
{
    // Bad arguments: the option named, with what it expects; no stack trace.
    Console.Error.WriteLine($"error: {ArgumentErrors.Describe(e, args) ?? e.Message}");
    return 2;
}
catch (Exception e) when (e is CliError or DataFormatException or SchemaFileException or ResumeConflictException or EmptySplitException)
{
    // Bad arguments, bad input data, a record that is not this run's: the message names the file, line and column or what
    // differs; no stack trace.
    Console.Error.WriteLine($"error: {e.Message}" + (e.Message.Contains("UnknownScenario = Skip", StringComparison.Ordinal)
        ? " On the command line: add ,unknown-scenario=skip to --data amazon or ijcai (a schema file: \"unknownScenario\": \"skip\" under \"encoding\")." : ""));
    return 2;
}
catch (Exception e)
{
    // Anything else is a failure of the job, not of the arguments: the message, and the trace on request.
    Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
    if (Environment.GetEnvironmentVariable("MIDPG_DEBUG") == "1") Console.Error.WriteLine(e);
    else Console.Error.WriteLine("(set MIDPG_DEBUG=1 for the stack trace)");
    return 1;
}
