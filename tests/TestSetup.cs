using System.Runtime.CompilerServices;
using MiDpg.Research.Platform;

namespace MiDpg.Research.Tests;

static class TestSetup
{
    /// <summary>Load TorchSharp's natives (with the platform fixes) before any test touches torch.</summary>
    [ModuleInitializer]
    internal static void Initialise() => TorchSharpNative.EnsureLoaded();
}
