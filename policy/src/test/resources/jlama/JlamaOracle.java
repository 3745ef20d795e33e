import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The independent implementation that HfCausalLmOracleIT compares Lodestone's models with: loads a
 * Hugging Face checkpoint with Jlama (float32 throughout, no quantization), runs the given token
 * ids one position at a time, and writes to OUT, for each position, the log of Jlama's next-token
 * distribution as one line of comma-separated values. Runs under Java 20 or newer, from source:
 *
 * <pre>java --add-modules jdk.incubator.vector -cp JLAMA_CLASSPATH JlamaOracle.java DIR 1,2,3 OUT</pre>
 */
public class JlamaOracle {
  public static void main(String[] args) throws Exception {
    AbstractModel model = ModelSupport.loadModel(new File(args[0]), DType.F32, DType.F32);
    String[] ids = args[1].split(",");
    KvBufferCache cache = new KvBufferCache(model);
    StringBuilder out = new StringBuilder();
    try (KvBufferCache.KvBuffer kv = cache.getEphemeralKvBuffer()) {
      for (int pos = 0; pos < ids.length; pos++) {
        AbstractTensor hidden = model.forward(Integer.parseInt(ids[pos]), pos, kv, Optional.empty());
        float[] probs = model.getLogits(hidden);
        for (int v = 0; v < probs.length; v++) {
          if (v > 0) {
            out.append(',');
          }
          out.append(Math.log(probs[v]));
        }
        out.append('\n');
      }
    }
    Files.writeString(Path.of(args[2]), out);
    System.exit(0);
  }
}
