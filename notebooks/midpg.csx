// Shared loading script, `#load`-ed by every notebook right after its package references.
// It loads the built library (run `bash environment/setup.sh` once to build it), makes TorchSharp's
// native libraries load (platform fixes: see README "Platform fixes"), and teaches the kernel to show
// Deedle frames as tables.
#r "../bin/Release/net10.0/MiDpg.Research.dll"

var midpgNative = MiDpg.Research.Notebooks.NotebookEnvironment.Start();
Microsoft.DotNet.Interactive.Formatting.Formatter.Register(
    typeof(Deedle.Frame<,>),
    (frame, writer) => writer.Write(MiDpg.Research.Plotting.TableHtml.FromDeedle(frame)),
    "text/html");

// Live training progress (a progress line and a chart of loss and validation AUC per epoch) in an
// updatable display: pass the result of LiveTraining() to Trainer.Fit as its reporter.
MiDpg.Research.Training.LiveTrainingView LiveTraining()
{
    var handle = Microsoft.DotNet.Interactive.Kernel.display(Microsoft.DotNet.Interactive.Kernel.HTML("<code>starting…</code>"));
    return new MiDpg.Research.Training.LiveTrainingView(html => handle.Update(Microsoft.DotNet.Interactive.Kernel.HTML(html)));
}

// Shows an HTML fragment (a notebook's computed summary) as text/html.
void ShowHtml(string html) =>
    Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.DisplayAs(Microsoft.DotNet.Interactive.KernelInvocationContext.Current, html, "text/html");

// Shows Markdown (a notebook's computed tables and summaries) as text/markdown.
void ShowMarkdown(string markdown) =>
    Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.DisplayAs(Microsoft.DotNet.Interactive.KernelInvocationContext.Current, markdown, "text/markdown");
