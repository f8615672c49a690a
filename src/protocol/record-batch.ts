/**
 * RecordBatch v2 records: building (producer side) and decoding (consumer side). The two halves
 * live in their own files; this module is the one import the rest of brook needs.
 */
export { RecordBatchBuilder, type RecordBatchBuilderOptions, type RecordHeaders } from './record-batch-builder.js'
export { decodeBatchRecords, decodeRecordSet, iterateBatches, type DecodeOptions, type FetchedRecord } from './record-decoder.js'
