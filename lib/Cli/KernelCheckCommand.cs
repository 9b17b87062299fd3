using System.ComponentModel;
using MiDpg.Research.Notebooks;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>
/// `kernel-check`: starts the notebook kernel the way VS Code (from .vscode/settings.json) and Jupyter (the
/// `.net-csharp` kernelspec) start it, runs notebook 00's loading cells and a chart cell, and says whether a chart came
/// back cleanly. Exit code 0 when every route checked passes.
/// </summary>
public sealed class KernelCheckCommand : Command<KernelCheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--route <ROUTE>")]
        [Description("vscode, jupyter or all (default).")]
        public string Route { get; init; } = "all";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        KernelRoute[] routes = settings.Route.ToLowerInvariant() switch
        {
            "all" => [KernelRoute.VsCode, KernelRoute.Jupyter],
            "vscode" => [KernelRoute.VsCode],
            "jupyter" => [KernelRoute.Jupyter],
            _ => throw new CliError($"--route: unknown route '{settings.Route}'; use vscode, jupyter or all."),
        };
        var failed = 0;
        foreach (var route in routes)
        {
            Console.WriteLine($"{route}: starting the kernel...");
            KernelCheckReport report;
            try
            {
                report = route == KernelRoute.VsCode
                    ? KernelRouteCheck.VsCode(cancellationToken: cancellationToken)
                    : KernelRouteCheck.Jupyter(cancellationToken: cancellationToken);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException or TimeoutException)
            {
                Console.WriteLine($"{route}: FAIL: {e.Message}");
                failed++;
                continue;
            }
            Console.WriteLine($"  launched as: {report.Launch}");
            foreach (var (cell, result) in report.Cells)
                Console.WriteLine($"  {cell.Name}: {(result.Succeeded ? "ok" : "failed")}, outputs: " +
                                  (result.Outputs.Count == 0 ? "none" : string.Join(", ", result.Outputs.Select(o => $"{o.Kind} {o.MimeType}").Distinct())));
            foreach (var problem in report.Problems) Console.WriteLine($"  problem: {problem}");
            Console.WriteLine(report.Passed ? $"{route}: PASS (a Plotly chart came back, no errors or warnings)" : $"{route}: FAIL");
            if (!report.Passed) failed++;
        }
        return failed == 0 ? 0 : 1;
    }
}
