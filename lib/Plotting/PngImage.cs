using System.Buffers.Binary;
using System.IO.Compression;

namespace MiDpg.Research.Plotting;

/// <summary>
/// A decoded 8-bit PNG (greyscale, RGB or RGBA, non-interlaced; PNG spec sections 11-12), enough to
/// check that a rendered figure really shows something.
/// </summary>
public sealed class PngImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Pixels as RGB triples, row-major.</summary>
    public byte[] Rgb { get; }

    PngImage(int width, int height, byte[] rgb) => (Width, Height, Rgb) = (width, height, rgb);

    public static PngImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> signature = [137, 80, 78, 71, 13, 10, 26, 10];
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(signature))
            throw new InvalidDataException($"{path}: not a PNG file.");
        int width = 0, height = 0, colorType = 0, at = 8;
        using var idat = new MemoryStream();
        while (at + 8 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0)
                    throw new InvalidDataException($"{path}: only 8-bit non-interlaced PNG is supported.");
                colorType = data[9];
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        int channels = colorType switch
        {
            0 => 1, 2 => 3, 4 => 2, 6 => 4,
            _ => throw new InvalidDataException($"{path}: PNG colour type {colorType} is not supported."),
        };
        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        inflater.ReadExactly(raw);
        var pixels = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            var previous = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : Span<byte>.Empty;
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? output[x - channels] : 0;
                int b = y > 0 ? previous[x] : 0;
                int c = x >= channels && y > 0 ? previous[x - channels] : 0;
                output[x] = (byte)(line[x] + filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, 4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"{path}: bad PNG filter {filter} on row {y}."),
                });
            }
        }
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
            for (int k = 0; k < 3; k++)
                rgb[i * 3 + k] = pixels[i * channels + (channels >= 3 ? k : 0)];
        return new PngImage(width, height, rgb);
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Number of distinct colours (a blank page has one).</summary>
    public int DistinctColours()
    {
        var set = new HashSet<int>();
        for (int i = 0; i < Rgb.Length; i += 3) set.Add(Rgb[i] << 16 | Rgb[i + 1] << 8 | Rgb[i + 2]);
        return set.Count;
    }

    /// <summary>Fraction of pixels that differ from the most common colour (the background).</summary>
    public double InkFraction()
    {
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < Rgb.Length; i += 3)
        {
            int key = Rgb[i] << 16 | Rgb[i + 1] << 8 | Rgb[i + 2];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return 1.0 - (double)counts.Values.Max() / (Width * Height);
    }

    /// <summary>Fraction of pixels in the rectangle (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) that differ from the image's most common colour (the background).</summary>
    public double InkFraction(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"({x}, {y}, {width}, {height}) is not inside the {Width} x {Height} image.");
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < Rgb.Length; i += 3)
        {
            int key = Rgb[i] << 16 | Rgb[i + 1] << 8 | Rgb[i + 2];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        int background = counts.MaxBy(kv => kv.Value).Key, ink = 0;
        for (int row = y; row < y + height; row++)
            for (int col = x; col < x + width; col++)
            {
                int i = (row * Width + col) * 3;
                if ((Rgb[i] << 16 | Rgb[i + 1] << 8 | Rgb[i + 2]) != background) ink++;
            }
        return (double)ink / (width * height);
    }
}
