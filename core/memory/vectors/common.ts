import type { WordVectorFile } from './format.js';

/**
 * What every word vector shares: the vocabulary's mean vector and its first principal direction
 * (Arora et al.'s "common component", Mu and Viswanath's "all-but-the-top"). These carry word
 * frequency and syntax more than meaning, so an average of word vectors is dominated by them and
 * any two sentences look alike; the offline embedder removes both from each word's vector before
 * averaging ("streaming services" is then nearer "netflix, spotify" than "still paying").
 */
export interface CommonComponent {
  mean: Float32Array;
  direction: Float32Array;
}

/**
 * The common component of every vector in the file: the mean, and the first principal direction of
 * the vectors less the mean (power iteration from a fixed start, so the result is the same every
 * time). The file of the pinned source gives `COMMON_COMPONENT` (a test checks it).
 */
export function commonComponentOf(file: WordVectorFile, iterations = 100): CommonComponent {
  const dims = file.dims;
  const rows: Float32Array[] = [];
  for (const w of file.words()) {
    const e = file.get(w);
    if (e) rows.push(e.vector);
  }
  const mean = new Float64Array(dims);
  for (const v of rows) for (let i = 0; i < dims; i++) mean[i] += v[i] / rows.length;
  let direction = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(dims);
    for (const v of rows) {
      let p = 0;
      for (let i = 0; i < dims; i++) p += (v[i] - mean[i]) * direction[i];
      for (let i = 0; i < dims; i++) next[i] += p * (v[i] - mean[i]);
    }
    let norm = 0;
    for (const x of next) norm += x * x;
    norm = Math.sqrt(norm);
    direction = next.map((x) => x / norm);
  }
  // A direction and its opposite are the same direction: the sign is fixed by its largest value.
  let largest = 0;
  for (let i = 1; i < dims; i++) if (Math.abs(direction[i]) > Math.abs(direction[largest])) largest = i;
  if (direction[largest] < 0) direction = direction.map((x) => -x);
  return { mean: Float32Array.from(mean), direction: Float32Array.from(direction) };
}

/** The word's vector less the common component, unit length (null when nothing is left). */
export function withoutCommon(vector: Float32Array, common: CommonComponent): Float32Array | null {
  const out = new Float32Array(vector.length);
  let p = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = vector[i] - common.mean[i];
    p += out[i] * common.direction[i];
  }
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] -= p * common.direction[i];
    norm += out[i] * out[i];
  }
  if (norm === 0) return null;
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/**
 * `commonComponentOf` the pinned file (wink100d-1.1.0, the 96,957 words of the 100,000 most frequent
 * that the tokeniser makes, 100 dimensions), to five significant digits. The file is the same on
 * every machine, so this is computed once instead of at every start (it reads the whole file).
 */
export const PINNED_COMMON = {
  count: 96_957,
  mean: Float32Array.from([
    -0.0069302, -0.010858, 0.0088373, -0.019261, -0.012101, 0.017885, -0.0025445, 0.0017564, 0.015133,
    0.00816, -0.0083441, 0.016468, 0.0016696, -0.0049644, 0.018213, 0.0032069, 0.0037315, 0.0068842,
    0.015285, -0.0063965, -0.0092888, -0.0017538, 0.0062343, 0.018357, 0.022661, 0.011426, -0.0066275,
    0.0077539, -0.019545, -0.018543, -0.0072384, -0.012121, -0.0046395, 0.014918, -0.011177, 0.015412,
    0.0081571, 0.012337, 0.0047788, -0.01759, 0.0046321, 0.031209, -0.012074, 0.0084972, -0.028601, 0.017835,
    0.025108, -0.00019071, 0.0084036, 0.023337, -0.022265, 0.0029833, 0.00090489, 0.010778, -0.030052,
    0.018666, 0.020568, -0.0010723, -0.041391, -0.0036048, 0.00057697, 0.0046143, 0.012663, 0.023429,
    -0.010679, -0.0060049, 0.029613, 0.00010188, -0.0030806, -0.018275, 0.0017377, -0.017149, 0.0095295,
    -0.010477, -0.011894, -0.0076379, -0.0022079, -0.0075615, -0.007382, -0.0055753, -0.0080879, -0.012877,
    -0.0095168, 0.021351, 0.002122, -0.002942, 0.0089013, 0.011593, -0.025316, -0.013995, -0.0030139,
    0.003965, -0.0053808, 0.000039719, 0.021375, -0.023653, 0.0042291, -0.01317, -0.019669, 0.018404,
  ]),
  direction: Float32Array.from([
    0.00085871, 0.14467, 0.10016, 0.063818, 0.027157, 0.084881, -0.067856, 0.030115, -0.03152, 0.029139,
    0.0081939, -0.028702, 0.10126, -0.013161, -0.0080129, -0.035863, 0.005099, 0.0067124, -0.026381,
    -0.0059072, 0.094201, -0.0033916, -0.013129, -0.080946, 0.0046379, -0.078961, -0.029148, -0.035451,
    0.016259, -0.029822, 0.043799, 0.061671, -0.050821, -0.078472, 0.03373, 0.028339, -0.066395, -0.079866,
    -0.069782, 0.0014353, -0.077538, -0.098529, 0.029697, -0.073417, 0.064217, -0.073981, 0.06109, 0.012639,
    -0.040309, -0.23275, 0.030288, 0.017413, 0.024181, 0.24139, 0.059042, -0.419, 0.014845, -0.079739,
    0.44267, 0.084581, -0.083974, 0.18857, -0.067989, -0.024743, 0.17939, -0.00007519, -0.0075017, -0.037297,
    0.092858, -0.073604, -0.004925, -0.057043, -0.0021701, -0.021743, -0.010539, 0.026356, -0.013267,
    0.0022332, -0.12739, -0.02205, 0.11861, 0.049002, -0.06049, 0.073943, -0.33742, -0.023356, 0.026353,
    0.000085179, -0.026037, -0.04189, -0.062147, -0.0023617, -0.062956, -0.018317, -0.13359, 0.0054743,
    -0.076021, -0.018938, 0.20996, 0.050737,
  ]),
};
