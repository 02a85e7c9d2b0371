/**
 * Validation of one function object of a report's `xcfg` (reference 1.4, 1.5). Also what MCRIT's
 * worker path loads a stored FunctionEntry `xcfg` with.
 */
import { toLosslessJson } from './lossless-json.js';
import {
  childPath,
  fail,
  indexPath,
  readAddressKey,
  readAddressList,
  readAddressMap,
  readArray,
  readBoolean,
  readCount,
  readNullable,
  readNumber,
  readObject,
  readStoredText,
  readString,
  readUnsigned64,
  required,
  type JsonObject,
} from './json-reader.js';
import type { SmdaBlock, SmdaFunction, SmdaFunctionMetadata, SmdaInstruction } from './types.js';

const HEX_BYTES = /^(?:[0-9a-fA-F]{2})+$/;
const INSTRUCTION_SHAPE = '[offset, hexbytes, mnemonic, op_str]';

function readInstruction(value: unknown, path: string): SmdaInstruction {
  if (!Array.isArray(value) || value.length !== 4) fail(path, INSTRUCTION_SHAPE, value);
  const offset = readUnsigned64(value[0], indexPath(path, 0));
  const bytes = readString(value[1], indexPath(path, 1));
  if (!HEX_BYTES.test(bytes)) fail(indexPath(path, 1), 'hex bytes (a non-empty, even number of hex digits)', bytes);
  return {
    offset,
    bytes,
    mnemonic: readString(value[2], indexPath(path, 2)),
    operands: readString(value[3], indexPath(path, 3)),
  };
}

function readBlocks(value: unknown, path: string): SmdaBlock[] {
  const blocks = Object.entries(readObject(value, path)).map(([key, instructions]): SmdaBlock => {
    const blockPath = childPath(path, key);
    return {
      start: readAddressKey(key, blockPath),
      instructions: readArray(instructions, blockPath).map((instruction, index) => readInstruction(instruction, indexPath(blockPath, index))),
    };
  });
  return blocks.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function readMetadata(value: unknown, path: string, storedPicHashIsCurrent: boolean): SmdaFunctionMetadata {
  const metadata = readObject(value, path);
  const field = (key: string) => required(metadata, key, path);
  const at = (key: string) => childPath(path, key);
  const picHash = Object.hasOwn(metadata, 'pic_hash') ? metadata['pic_hash'] : null;
  // SMDA reads nesting_depth only when it keeps the stored PicHash.
  const nestingDepth = storedPicHashIsCurrent || Object.hasOwn(metadata, 'nesting_depth') ? field('nesting_depth') : null;
  return {
    binweight: readNumber(field('binweight'), at('binweight')),
    characteristics: readNullable(field('characteristics'), at('characteristics'), readString),
    confidence: readNullable(field('confidence'), at('confidence'), readNumber),
    functionName: readStoredText(field('function_name'), at('function_name')),
    storedPicHash: readNullable(picHash, at('pic_hash'), readUnsigned64),
    nestingDepth: readNullable(nestingDepth, at('nesting_depth'), readCount),
    stronglyConnectedComponents: toLosslessJson(readNullable(field('strongly_connected_components'), at('strongly_connected_components'), readArray)),
    tfidf: readNullable(field('tfidf'), at('tfidf'), readNumber),
  };
}

function optional(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * Validates a function object. `path` names it in errors (`xcfg.4198400`); `storedPicHashIsCurrent`
 * (from the report's SMDA version) decides whether `metadata.nesting_depth` is required, as in SMDA.
 */
export function parseSmdaFunction(value: unknown, path: string, storedPicHashIsCurrent: boolean): SmdaFunction {
  const fn = readObject(value, path);
  const field = (key: string) => required(fn, key, path);
  const at = (key: string) => childPath(path, key);
  const stringRefs = optional(fn, 'stringrefs');
  const isExported = optional(fn, 'is_exported');
  const architectureMetadata = optional(fn, 'architecture_metadata');
  return {
    offset: readUnsigned64(field('offset'), at('offset')),
    blocks: readBlocks(field('blocks'), at('blocks')),
    apiRefs: readAddressMap(field('apirefs'), at('apirefs'), readString),
    blockRefs: readAddressMap(field('blockrefs'), at('blockrefs'), readAddressList),
    inRefs: readAddressList(field('inrefs'), at('inrefs')),
    outRefs: readAddressMap(field('outrefs'), at('outrefs'), readAddressList),
    stringRefs: stringRefs === undefined ? undefined : toLosslessJson(stringRefs),
    isExported: isExported === undefined ? false : readBoolean(isExported, at('is_exported')),
    architectureMetadata: architectureMetadata === undefined ? undefined : toLosslessJson(readObject(architectureMetadata, at('architecture_metadata'))),
    metadata: readMetadata(field('metadata'), at('metadata'), storedPicHashIsCurrent),
  };
}
