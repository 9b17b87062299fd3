using System.Buffers.Binary;
using System.Text;

namespace MiDpg.Research.Platform;

/// <summary>
/// Reads and edits the version-needs table (<c>.gnu.version_r</c>, ELF gABI "Symbol Versioning")
/// of a 64-bit little-endian ELF shared object. The dynamic loader refuses to load a library
/// whose version needs are missing unless the need carries <c>VER_FLG_WEAK</c>; this is how we
/// let TorchSharp's <c>libLibTorchSharp.so</c> load on systems whose libstdc++ lacks a version
/// whose only symbol the library never relocates (see <see cref="TorchSharpNative"/>).
/// </summary>
public static class ElfVersionNeeds
{
    /// <summary>The flag that turns a version need into a non-fatal one (elf.h: VER_FLG_WEAK).</summary>
    public const ushort VerFlagWeak = 0x2;

    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtGnuVerdef = 0x6ffffffd;

    /// <summary>One entry of <c>.gnu.version_r</c>: a version required from a shared library.</summary>
    /// <param name="File">The library the version is needed from (e.g. libstdc++.so.6).</param>
    /// <param name="Version">The version name (e.g. GLIBCXX_3.4.32).</param>
    /// <param name="Flags">vna_flags; <see cref="VerFlagWeak"/> marks a weak need.</param>
    /// <param name="FlagsOffset">File offset of vna_flags, where a patch writes.</param>
    public sealed record VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>All version needs of an ELF file.</summary>
    public static IReadOnlyList<VersionNeed> ReadNeeds(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return ReadNeeds(bytes, path);
    }

    /// <summary>All version names an ELF file defines (<c>.gnu.version_d</c>), e.g. libstdc++'s GLIBCXX_*.</summary>
    public static IReadOnlySet<string> ReadDefinitions(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new HashSet<string>(StringComparer.Ordinal);
        var sections = Sections(bytes, path);
        foreach (var s in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strtab = sections[(int)s.Link];
            long at = s.Offset;
            for (uint i = 0; i < s.Info; i++)
            {
                ushort cnt = U16(bytes, at + 6);
                uint aux = U32(bytes, at + 12), next = U32(bytes, at + 16);
                long auxAt = at + aux;
                for (int j = 0; j < cnt; j++)
                {
                    result.Add(CString(bytes, strtab.Offset + U32(bytes, auxAt)));
                    auxAt += U32(bytes, auxAt + 4);
                }
                if (next == 0) break;
                at += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Marks the named versions weak in place. Idempotent: a need that is already weak is left
    /// alone, and nothing is written when nothing changes. The file is replaced atomically.
    /// </summary>
    /// <returns>The needs that were changed.</returns>
    public static IReadOnlyList<VersionNeed> MarkWeak(string path, IReadOnlyCollection<string> versions)
    {
        var bytes = File.ReadAllBytes(path);
        var changed = ReadNeeds(bytes, path).Where(n => versions.Contains(n.Version) && !n.IsWeak).ToList();
        if (changed.Count == 0) return changed;
        foreach (var need in changed)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)need.FlagsOffset, 2), (ushort)(need.Flags | VerFlagWeak));
        var temporary = path + ".midpg-patch-" + Environment.ProcessId;
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
        return changed;
    }

    static IReadOnlyList<VersionNeed> ReadNeeds(byte[] bytes, string path)
    {
        var result = new List<VersionNeed>();
        var sections = Sections(bytes, path);
        foreach (var s in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strtab = sections[(int)s.Link];
            long at = s.Offset;
            for (uint i = 0; i < s.Info; i++)
            {
                ushort cnt = U16(bytes, at + 2);
                string file = CString(bytes, strtab.Offset + U32(bytes, at + 4));
                uint aux = U32(bytes, at + 8), next = U32(bytes, at + 12);
                long auxAt = at + aux;
                for (int j = 0; j < cnt; j++)
                {
                    ushort flags = U16(bytes, auxAt + 4);
                    string name = CString(bytes, strtab.Offset + U32(bytes, auxAt + 8));
                    result.Add(new VersionNeed(file, name, flags, auxAt + 4));
                    uint auxNext = U32(bytes, auxAt + 12);
                    if (auxNext == 0) break;
                    auxAt += auxNext;
                }
                if (next == 0) break;
                at += next;
            }
        }
        return result;
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    static List<Section> Sections(byte[] b, string path)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file.");
        if (b[4] != 2 || b[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported (class {b[4]}, data {b[5]}).");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(0x28));
        int shentsize = U16(b, 0x3A), shnum = U16(b, 0x3C);
        if (shoff <= 0 || shoff + (long)shentsize * shnum > b.Length)
            throw new InvalidDataException($"{path}: section header table lies outside the file.");
        var list = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            list.Add(new Section(
                Type: U32(b, h + 4),
                Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)(h + 24))),
                Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)(h + 32))),
                Link: U32(b, h + 40),
                Info: U32(b, h + 44)));
        }
        return list;
    }

    static ushort U16(byte[] b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)at, 2));
    static uint U32(byte[] b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)at, 4));

    static string CString(byte[] b, long at)
    {
        int end = Array.IndexOf(b, (byte)0, (int)at);
        return Encoding.ASCII.GetString(b, (int)at, (end < 0 ? b.Length : end) - (int)at);
    }
}
