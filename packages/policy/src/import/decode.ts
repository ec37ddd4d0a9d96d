// Bytes to text. Exports come as UTF-8 (with or without BOM) and, from PowerShell tools
// such as IntuneManagement, as UTF-16LE with BOM (corpus/SOURCES.md).
import { ok, refused, type Result } from '../types.js';

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncodingName;
}

function decodeUtf16(bytes: Uint8Array, start: number, littleEndian: boolean): string {
  const length = Math.floor((bytes.length - start) / 2);
  const units = new Uint16Array(length);
  for (let i = 0; i < length; i++) {
    const a = bytes[start + 2 * i] ?? 0;
    const b = bytes[start + 2 * i + 1] ?? 0;
    units[i] = littleEndian ? a | (b << 8) : (a << 8) | b;
  }
  let out = '';
  const chunk = 8192;
  for (let i = 0; i < units.length; i += chunk) {
    out += String.fromCharCode(...units.subarray(i, i + chunk));
  }
  return out;
}

/**
 * Detects the encoding by BOM; without a BOM, a NUL in every other byte of the first
 * characters means UTF-16 (JSON text starts with ASCII), otherwise UTF-8.
 */
export function decodeText(input: Uint8Array | string): Result<DecodedText> {
  if (typeof input === 'string') {
    return ok({ text: input.charCodeAt(0) === 0xfeff ? input.slice(1) : input, encoding: 'utf-8' });
  }
  const b = input;
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    if ((b.length - 2) % 2 !== 0) return refused([{ code: 'invalid_encoding', path: '', message: 'UTF-16LE text with an odd number of bytes' }]);
    return ok({ text: decodeUtf16(b, 2, true), encoding: 'utf-16le' });
  }
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    if ((b.length - 2) % 2 !== 0) return refused([{ code: 'invalid_encoding', path: '', message: 'UTF-16BE text with an odd number of bytes' }]);
    return ok({ text: decodeUtf16(b, 2, false), encoding: 'utf-16be' });
  }
  let start = 0;
  let encoding: TextEncodingName = 'utf-8';
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    start = 3;
    encoding = 'utf-8-bom';
  } else if (b.length >= 4 && b.length % 2 === 0) {
    if (b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) return ok({ text: decodeUtf16(b, 0, true), encoding: 'utf-16le' });
    if (b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) return ok({ text: decodeUtf16(b, 0, false), encoding: 'utf-16be' });
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.subarray(start));
    return ok({ text, encoding });
  } catch {
    return refused([{ code: 'invalid_encoding', path: '', message: 'the bytes are neither UTF-8 nor UTF-16 with a byte order mark' }]);
  }
}
