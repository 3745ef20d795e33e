/**
 * Hugging Face checkpoints (docs/models.md): {@link dev.lodestone.policy.hf.Safetensors} reads and
 * writes the safetensors format with every header checked against its file; {@link
 * dev.lodestone.policy.hf.HfConfig} reads {@code config.json} of the Llama family (Llama, Qwen2,
 * Mistral, SmolLM) and GPT-2 and says which parameters, of which shapes, the model has; {@link
 * dev.lodestone.policy.hf.HfCheckpoint} opens a model directory (single or sharded weights) and
 * refuses a bad one with a {@link dev.lodestone.policy.hf.CheckpointFormatException} naming the
 * file and the tensor; {@link dev.lodestone.policy.hf.HfCausalLm} computes the model as a DJL block
 * in float32; {@link dev.lodestone.policy.hf.HfTokenizer} runs the checkpoint's own tokenizer;
 * {@link dev.lodestone.policy.hf.RandomCheckpoint} writes small random checkpoints.
 */
package dev.lodestone.policy.hf;
