using System.Runtime.CompilerServices;
using MiDpg.Research.Platform;

namespace MiDpg.Research.Tests;

static class TestSetup
{
    /// <summary>
    /// Load TorchSharp's natives (with the platform fixes) before any test touches torch, and give torch
    /// one intra-op thread: xunit runs test classes in parallel, and libtorch's own thread pool on top of
    /// that oversubscribes a small machine many times over (a 2 s training loop took over a minute).
    /// </summary>
    [ModuleInitializer]
    internal static void Initialise()
    {
        TorchSharpNative.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
    }
}
