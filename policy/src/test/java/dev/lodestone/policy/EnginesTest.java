package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class EnginesTest {

  @Test
  void startsThePyTorchEngineOfflineOnce() {
    Engines.EngineInfo info = Engines.start();
    assertThat(Engines.start()).isSameAs(info);
    assertThat(info.engineName()).isEqualTo("PyTorch");
    assertThat(info.pytorchVersion()).startsWith(Engines.PYTORCH_VERSION);
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(info.intraOpThreads()).isPositive();
    assertThat(info.cacheDir().resolve("pytorch")).isDirectory();
  }

  @Test
  void parsesDeviceSpecs() {
    assertThat(Engines.device("cpu")).isEqualTo(Device.cpu());
    assertThat(Engines.device(" CPU ")).isEqualTo(Device.cpu());
    int gpus = Engines.start().gpuCount();
    if (gpus == 0) {
      assertThatThrownBy(() -> Engines.device("gpu"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("device 'gpu' is not available")
          .hasMessageContaining("sees 0 GPU(s)");
      assertThatThrownBy(() -> Engines.device("gpu:1")).hasMessageContaining("gpu:1");
    } else {
      assertThat(Engines.device("gpu")).isEqualTo(Device.gpu(0));
      assertThat(Engines.device("gpu:" + (gpus - 1))).isEqualTo(Device.gpu(gpus - 1));
    }
  }

  @Test
  void refusesMalformedDeviceSpecs() {
    assertThatThrownBy(() -> Engines.device("tpu")).hasMessageContaining("got 'tpu'");
    assertThatThrownBy(() -> Engines.device("gpu:x")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> Engines.device("gpu:-1")).hasMessageContaining("N >= 0");
    assertThatThrownBy(() -> Engines.device(null)).hasMessageContaining("got null");
  }
}
