// The fused core of a low-rank DWM layer (paper eqs. 3-5; MODELS.md "DPG"): A = GateScale * sigmoid(L R) per sample,
// with L [B, d_r, d_k] and R [B, d_k, d_c], either of them shared by the batch (leading size 1):
//   R variant: L = S_R (generated), R = C_share;  C variant: L = R_share, R = S_C;  RC: both generated.
// forward    A[b, r, c]  = g sigma(sum_k L[b, r, k] R[b, k, c])
// backward   D = dA ⊙ g sigma ⊙ (1 - sigma), sigma = A / g   (the gradient at the logit)
//            dL[b, r, k] = sum_c D[b, r, c] R[b, k, c];   dR[b, k, c] = sum_r L[b, r, k] D[b, r, c]  (summed over b if shared)
// torch runs this as a batched matmul of inner size d_k (2 on the workload), a sigmoid, a scale and their backward
// kernels, each a pass over the B x d_r x d_c core; here one pass forward and one backward. float32 on the CPU only;
// WeightingMatrix.Generate keeps the torch ops elsewhere.
using System.Numerics;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>A = GateScale * sigmoid(L R) by one fused kernel; see the file header.</summary>
public static unsafe class FusedCore
{
    /// <summary>Whether the kernel handles these factors: float32 on the CPU, 3-d, consistent inner size d_k, batch sizes B or 1.</summary>
    public static bool Supports(Tensor left, Tensor right) =>
        left.device_type == TorchSharp.DeviceType.CPU && right.device_type == TorchSharp.DeviceType.CPU
        && left.dtype == ScalarType.Float32 && right.dtype == ScalarType.Float32 && left.dim() == 3 && right.dim() == 3
        && left.shape[2] == right.shape[1] && (left.shape[0] == right.shape[0] || left.shape[0] == 1 || right.shape[0] == 1)
        && Math.Max(left.shape[0], right.shape[0]) > 0;

    /// <summary>gateScale * sigmoid(left right) [B, d_r, d_c].</summary>
    public static Tensor Apply(Tensor left, Tensor right, double gateScale)
    {
        if (!Supports(left, right))
            throw new ArgumentException($"The fused core kernel needs float32 CPU factors L [B|1, d_r, d_k] and R [B|1, d_k, d_c]; got " +
                $"L [{string.Join(", ", left.shape)}] {left.dtype} on {left.device}, R [{string.Join(", ", right.shape)}] {right.dtype} on {right.device}.");
        return Function.apply(left, right, gateScale);
    }

    sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(FusedCore);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var (left, right, gate) = (((Tensor)vars[0]).contiguous(), ((Tensor)vars[1]).contiguous(), (float)(double)vars[2]);
            var shape = Shape.Of(left, right);
            var core = empty([shape.Batch, shape.Dr, shape.Dc], ScalarType.Float32);
            Forward(shape, TensorMemory.Floats(left), TensorMemory.Floats(right), TensorMemory.Floats(core), gate);
            ctx.save_for_backward([left, right, core]);
            ctx.save_data("shape", shape);
            ctx.save_data("gate", gate);
            ctx.save_data("needs", new[] { ((Tensor)vars[0]).requires_grad, ((Tensor)vars[1]).requires_grad });
            return core;
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var shape = (Shape)ctx.get_data("shape");
            var gate = (float)ctx.get_data("gate");
            var needs = (bool[])ctx.get_data("needs");
            var saved = ctx.get_saved_variables();
            try
            {
                using var dCore = gradOutput.contiguous();
                var dLeft = needs[0] ? zeros([shape.LeftShared ? 1 : shape.Batch, shape.Dr, shape.Dk], ScalarType.Float32) : null;
                var dRight = needs[1] ? zeros([shape.RightShared ? 1 : shape.Batch, shape.Dk, shape.Dc], ScalarType.Float32) : null;
                Backward(shape, TensorMemory.Floats(saved[0]), TensorMemory.Floats(saved[1]), TensorMemory.Floats(saved[2]),
                    TensorMemory.Floats(dCore), TensorMemory.Floats(dLeft), TensorMemory.Floats(dRight), gate);
                return [dLeft!, dRight!, null!];
            }
            finally
            {
                foreach (var t in saved) t.Dispose();
            }
        }
    }

    readonly record struct Shape(int Batch, int Dr, int Dk, int Dc, bool LeftShared, bool RightShared)
    {
        public static Shape Of(Tensor left, Tensor right)
        {
            var batch = (int)Math.Max(left.shape[0], right.shape[0]);
            return new(batch, (int)left.shape[1], (int)left.shape[2], (int)right.shape[2], left.shape[0] == 1 && batch > 1, right.shape[0] == 1 && batch > 1);
        }

        public long LeftOffset(int b) => LeftShared ? 0 : (long)b * Dr * Dk;
        public long RightOffset(int b) => RightShared ? 0 : (long)b * Dk * Dc;
    }

    static void Forward(Shape s, float* left, float* right, float* core, float gate)
    {
        var (dr, dk, dc) = (s.Dr, s.Dk, s.Dc);
        var width = Vector<float>.Count;
        var vGate = new Vector<float>(gate);
        for (var b = 0; b < s.Batch; b++)
        {
            var l = left + s.LeftOffset(b);
            var rt = right + s.RightOffset(b);
            for (var r = 0; r < dr; r++)
            {
                var a = core + ((long)b * dr + r) * dc;
                var lr = l + (long)r * dk;
                var c = 0;
                if (Vector.IsHardwareAccelerated)
                    for (; c <= dc - width; c += width)
                    {
                        var logit = Vector<float>.Zero;
                        for (var k = 0; k < dk; k++) logit = Vector.FusedMultiplyAdd(new Vector<float>(lr[k]), Vector.Load(rt + (long)k * dc + c), logit);
                        Vector.Store(vGate / (Vector<float>.One + Vector.Exp(-logit)), a + c);
                    }
                for (; c < dc; c++)
                {
                    float logit = 0;
                    for (var k = 0; k < dk; k++) logit += lr[k] * rt[(long)k * dc + c];
                    a[c] = gate / (1 + MathF.Exp(-logit));
                }
            }
        }
    }

    static void Backward(Shape s, float* left, float* right, float* core, float* dCore, float* dLeft, float* dRight, float gate)
    {
        var (dr, dk, dc) = (s.Dr, s.Dk, s.Dc);
        var scratch = new float[dc];
        fixed (float* d = scratch)
            for (var b = 0; b < s.Batch; b++)
            {
                var l = left + s.LeftOffset(b);
                var rt = right + s.RightOffset(b);
                var dl = dLeft == null ? null : dLeft + s.LeftOffset(b);
                var drt = dRight == null ? null : dRight + s.RightOffset(b);
                for (var r = 0; r < dr; r++)
                {
                    var offset = ((long)b * dr + r) * dc;
                    var a = core + offset;
                    var da = dCore + offset;
                    Derivative(da, a, d, gate, dc);
                    for (var k = 0; k < dk; k++)
                    {
                        var rk = rt + (long)k * dc;
                        if (dl != null) dl[(long)r * dk + k] += Dot(d, rk, dc);
                        if (drt != null) AddScaled(drt + (long)k * dc, d, l[(long)r * dk + k], dc);
                    }
                }
            }
    }

    /// <summary>D = dA ⊙ g sigma ⊙ (1 - sigma), sigma = A / g: the gradient at the logits.</summary>
    static void Derivative(float* dA, float* a, float* d, float gate, int n)
    {
        var j = 0;
        var inverse = 1 / gate;
        if (Vector.IsHardwareAccelerated)
        {
            var (vGate, vInverse) = (new Vector<float>(gate), new Vector<float>(inverse));
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                var sigma = Vector.Load(a + j) * vInverse;
                Vector.Store(Vector.Load(dA + j) * vGate * sigma * (Vector<float>.One - sigma), d + j);
            }
        }
        for (; j < n; j++)
        {
            var sigma = a[j] * inverse;
            d[j] = dA[j] * gate * sigma * (1 - sigma);
        }
    }

    static float Dot(float* x, float* y, int n)
    {
        var j = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count) acc = Vector.FusedMultiplyAdd(Vector.Load(x + j), Vector.Load(y + j), acc);
            sum = Vector.Sum(acc);
        }
        for (; j < n; j++) sum += x[j] * y[j];
        return sum;
    }

    static void AddScaled(float* target, float* x, float scale, int n)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = new Vector<float>(scale);
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
                Vector.Store(Vector.FusedMultiplyAdd(Vector.Load(x + j), v, Vector.Load(target + j)), target + j);
        }
        for (; j < n; j++) target[j] += scale * x[j];
    }
}
