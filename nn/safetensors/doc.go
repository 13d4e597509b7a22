// Package safetensors reads and writes the safetensors weight-file format
// (https://github.com/huggingface/safetensors), so that PyTorch users can open
// neurograd's trained models and vice versa:
//
//	8 bytes    N, the header length, unsigned little-endian
//	N bytes    a JSON object: for every tensor name {"dtype", "shape",
//	           "data_offsets": [begin, end]} (byte offsets into the data
//	           section), and optionally "__metadata__": {string: string}
//	rest       the data section: every tensor's raw little-endian elements,
//	           row-major, the tensors tiling the section without gaps or overlap
//
// Parse trusts nothing: it checks that the header length lies within the file,
// the JSON is well formed with no duplicate or unknown keys, dtypes are known,
// shapes are non-negative and their sizes match the offsets, and the offsets lie
// in the data section, do not overlap and cover it entirely. Every error names
// the tensor and the problem.
package safetensors
