// Image data for calibration, accuracy and benchmarks: list parsing, Paddle-compatible preprocessing (sharp),
// streams/batches of preprocessed images, and the dataset .bin reader/writer (re-exported from format/paddle).
export { parseValList, readValList, joinLikePython, type ImageEntry, type ValListOptions } from './val_list';
export {
  PRESETS, PRESET_NAMES, Preprocessor, preprocessOptions, imageShape, describePreprocess, resizeCropGeometry, jpegDecoderImpl,
  ocrResizedWidth,
  type PresetName, type PreprocessOptions, type PreprocessOverrides, type ChannelOrder, type ResampleImpl,
} from './preprocess';
export {
  preprocessEntries, imageBatches, imageFolderBatches, writeDatasetFromImages, configureThreads, defaultConcurrency, defaultWorkers,
  type StreamOptions, type PreprocessedImage, type ImageBatch, type BatchOptions, type FolderBatchOptions, type OnError,
  type WriteResult,
} from './pipeline';
export { resizeCropLanczosPil } from './pil_resample';
export { imageSize } from './image_size';
export {
  openDataset, DatasetReader, DatasetWriter, writeDataset, datasetFileSize, DATASET_HEADER_BYTES,
  type OpenDatasetOptions, type DatasetBatch, type DatasetWriterOptions,
} from '../format/paddle/dataset_bin';
export { checkImagesFit, openModelDataset, datasetImageSize, type ImageSize } from './image_fit';
export { choosePreset, presetMismatch, DEFAULT_PRESET, type PresetChoice } from './preset_choice';
