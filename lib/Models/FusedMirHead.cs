// The rest of one MIR discriminator after its first layer's products (paper eqs. 6-7; MODELS.md "MIR"), fused into one
// autograd node. With F_s = W1_s s + b1 (shared by a sample's two pairs), F+ = W1_e e_aw and F- = W1_e e_aw[pi]:
//   h+ = ReLU(F_s + F+),  h- = ReLU(F_s + F-),  T+ = w2 . h+ + b2,  T- = w2 . h- + b2,
//   L = (1/B) sum_i [ softplus(-T+_i) + softplus(T-_i) ]
// backward (upstream gradient g): dT+ = -(g/B) sigma(-T+), dT- = (g/B) sigma(T-), dh± = dT± w2 ⊙ [h± > 0],
//   dF_s = dh+ + dh-, dF± = dh±, dw2 = sum_i dT+ h+ + dT- h-, db2 = sum_i dT+ + dT-.
// The same function as MutualInformationRegularizer's torch path (tested equal); torch runs it as about twenty small
// kernels per layer forward and as many backward, whose fixed cost per call dominates on a shard of a few hundred rows.
// float32 on the CPU only.
using System.Numerics;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>L_mi of one layer from its discriminator's first-layer products; see the file header.</summary>
public static unsafe class FusedMirHead
{
    /// <summary>Whether the kernel handles these tensors: float32 CPU, F_s, F+, F- [B, H], w2 [1, H], b2 [1].</summary>
    public static bool Supports(Tensor fromS, Tensor positiveE, Tensor negativeE, Tensor w2, Tensor b2) =>
        new[] { fromS, positiveE, negativeE, w2, b2 }.All(t => t.device_type == TorchSharp.DeviceType.CPU && t.dtype == ScalarType.Float32)
        && fromS.dim() == 2 && positiveE.shape.SequenceEqual(fromS.shape) && negativeE.shape.SequenceEqual(fromS.shape)
        && w2.numel() == fromS.shape[1] && b2.numel() == 1 && fromS.shape[0] > 0;

    /// <summary>The layer's L_mi (a scalar), differentiable in all five inputs.</summary>
    public static Tensor Loss(Tensor fromS, Tensor positiveE, Tensor negativeE, Tensor w2, Tensor b2)
    {
        if (!Supports(fromS, positiveE, negativeE, w2, b2))
            throw new ArgumentException("The fused MIR head needs float32 CPU tensors F_s, F+, F- [B, H], w2 [1, H] and b2 [1].");
        return Function.apply(fromS, positiveE, negativeE, w2, b2);
    }

    sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(FusedMirHead);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var inputs = vars.Take(5).Select(v => ((Tensor)v).contiguous()).ToArray();
            var (batch, hidden) = ((int)inputs[0].shape[0], (int)inputs[0].shape[1]);
            var logits = empty([2, batch], ScalarType.Float32);
            var b2 = inputs[4].item<float>();
            double total = 0;
            float* fs = TensorMemory.Floats(inputs[0]), fp = TensorMemory.Floats(inputs[1]), fn = TensorMemory.Floats(inputs[2]),
                w2 = TensorMemory.Floats(inputs[3]), t = TensorMemory.Floats(logits);
            for (var i = 0; i < batch; i++)
            {
                var row = (long)i * hidden;
                var tp = HiddenDot(fs + row, fp + row, w2, hidden) + b2;
                var tn = HiddenDot(fs + row, fn + row, w2, hidden) + b2;
                t[i] = tp;
                t[batch + i] = tn;
                total += Softplus(-tp) + Softplus(tn);
            }
            ctx.save_for_backward([inputs[0], inputs[1], inputs[2], inputs[3], logits]);
            return tensor((float)(total / batch));
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            try
            {
                var (batch, hidden) = ((int)saved[0].shape[0], (int)saved[0].shape[1]);
                var scale = gradOutput.item<float>() / batch;
                var dS = empty([batch, hidden], ScalarType.Float32);
                var dP = empty([batch, hidden], ScalarType.Float32);
                var dN = empty([batch, hidden], ScalarType.Float32);
                var dW2 = zeros([1, hidden], ScalarType.Float32);
                float* fs = TensorMemory.Floats(saved[0]), fp = TensorMemory.Floats(saved[1]), fn = TensorMemory.Floats(saved[2]),
                    w2 = TensorMemory.Floats(saved[3]), t = TensorMemory.Floats(saved[4]);
                float* ds = TensorMemory.Floats(dS), dp = TensorMemory.Floats(dP), dn = TensorMemory.Floats(dN), dw2 = TensorMemory.Floats(dW2);
                double db2 = 0;
                for (var i = 0; i < batch; i++)
                {
                    var row = (long)i * hidden;
                    var dtp = -scale * Sigmoid(-t[i]);
                    var dtn = scale * Sigmoid(t[batch + i]);
                    db2 += dtp + dtn;
                    HiddenBackward(fs + row, fp + row, fn + row, w2, dtp, dtn, ds + row, dp + row, dn + row, dw2, hidden);
                }
                var dB2 = tensor(new[] { (float)db2 });
                return [dS, dP, dN, dW2, dB2];
            }
            finally
            {
                foreach (var t in saved) t.Dispose();
            }
        }
    }

    static float Softplus(float x) => Math.Max(x, 0f) + MathF.Log(1 + MathF.Exp(-Math.Abs(x)));     // log(1 + e^x), stable

    static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));

    /// <summary>w2 . ReLU(a + b) over n.</summary>
    static float HiddenDot(float* a, float* b, float* w2, int n)
    {
        var j = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
                acc = Vector.FusedMultiplyAdd(Vector.Max(Vector.Load(a + j) + Vector.Load(b + j), Vector<float>.Zero), Vector.Load(w2 + j), acc);
            sum = Vector.Sum(acc);
        }
        for (; j < n; j++) sum += Math.Max(a[j] + b[j], 0f) * w2[j];
        return sum;
    }

    /// <summary>One sample's backward through both pairs' hidden layers: dh± = dT± w2 ⊙ [h± > 0], dF_s = dh+ + dh-,
    /// dF± = dh±, dw2 += dT+ h+ + dT- h-.</summary>
    static void HiddenBackward(float* fs, float* fp, float* fn, float* w2, float dtp, float dtn, float* ds, float* dp, float* dn, float* dw2, int n)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var (vp, vn) = (new Vector<float>(dtp), new Vector<float>(dtn));
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                var s = Vector.Load(fs + j);
                var w = Vector.Load(w2 + j);
                var hp = Vector.Max(s + Vector.Load(fp + j), Vector<float>.Zero);
                var hn = Vector.Max(s + Vector.Load(fn + j), Vector<float>.Zero);
                var gp = Vector.ConditionalSelect(Vector.GreaterThan(hp, Vector<float>.Zero), vp * w, Vector<float>.Zero);
                var gn = Vector.ConditionalSelect(Vector.GreaterThan(hn, Vector<float>.Zero), vn * w, Vector<float>.Zero);
                Vector.Store(gp, dp + j);
                Vector.Store(gn, dn + j);
                Vector.Store(gp + gn, ds + j);
                Vector.Store(Vector.FusedMultiplyAdd(vp, hp, Vector.FusedMultiplyAdd(vn, hn, Vector.Load(dw2 + j))), dw2 + j);
            }
        }
        for (; j < n; j++)
        {
            var hp = Math.Max(fs[j] + fp[j], 0f);
            var hn = Math.Max(fs[j] + fn[j], 0f);
            var gp = hp > 0 ? dtp * w2[j] : 0f;
            var gn = hn > 0 ? dtn * w2[j] : 0f;
            dp[j] = gp;
            dn[j] = gn;
            ds[j] = gp + gn;
            dw2[j] += dtp * hp + dtn * hn;
        }
    }
}
