using System.ComponentModel;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>
/// `main`: the main job on the embedded default. Executes every notebook, leaving executed copies
/// in &lt;out&gt;/notebooks and the figures they save in &lt;out&gt;/figures.
/// </summary>
public sealed class MainJobCommand : Command<MainJobCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: output).")]
        public string Out { get; init; } = "output";

        [CommandOption("--quick")]
        [Description("Quick mode: small data, few epochs.")]
        public bool Quick { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"main job: executing the notebooks into {Path.GetFullPath(settings.Out)}");
        return NotebooksCommand.Run([], settings.Out, settings.Quick);
    }
}
