/**
 * Issue 16.6 and the version rules around it. A ClientHello without supported_versions is a TLS
 * 1.2 client whatever its legacy_version says (RFC 8446 §4.2.1: "even if ClientHello.legacy_version
 * is 0x0304 or later"), so with TLS_FALLBACK_SCSV it falls back below our highest version:
 * inappropriate_fallback (RFC 7507 §3). With supported_versions, legacy_version is not used for
 * negotiation (§4.2.1) — except 0x0300 and below, refused with protocol_version (Appendix D.5).
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { handshake, helloWith, makeContext } from '@puretls/test-support/harness13';
import { expectFailure12, handshake12, hello12, makeContext12 } from '@puretls/test-support/harness12';

describe('TLS_FALLBACK_SCSV (RFC 7507)', () => {
  it.each([0x0303, 0x0304, 0x0305, 0x03ff, 0x0400])('legacy_version 0x%s, no supported_versions → inappropriate_fallback', (v) => {
    expectFailure12(hello12({ legacyVersion: v, fallbackScsv: true }), 'inappropriate_fallback', 'InappropriateFallback');
  });
  it('without the SCSV the same client gets TLS 1.2 (RFC 8446 §4.2.1)', () => {
    for (const v of [0x0304, 0x0305]) {
      const x = handshake12(undefined, { legacyVersion: v });
      expect(x.errors).toEqual([]);
      expect(x.conn.info).toMatchObject({ version: 0x0303 });
    }
  });
  it('supported_versions without 1.3, and the SCSV → inappropriate_fallback; with 1.3 → TLS 1.3, no fallback', () => {
    expectFailure12(hello12({ versions: [0x0303], fallbackScsv: true }), 'inappropriate_fallback', 'InappropriateFallback');
    const x = handshake(undefined, { cipherSuites: [0x1301, 0x5600] });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ version: 0x0304 });
  });
  it('a server whose highest version is TLS 1.2 serves the SCSV client (nothing to fall back from)', () => {
    const x = handshake12(makeContext12({ maxVersion: 'TLSv1.2' }), { legacyVersion: 0x0304, fallbackScsv: true });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ version: 0x0303 });
  });
});

describe('legacy_version', () => {
  it('0x0300 (SSL 3.0) or below → protocol_version (RFC 8446 Appendix D.5), with or without supported_versions', () => {
    for (const v of [0x0300, 0x0200, 0x0002]) {
      expectFailure12(hello12({ legacyVersion: v }), 'protocol_version', 'InvalidLegacyVersion');
      expectFailure12(hello12({ legacyVersion: v, versions: [0x0303] }), 'protocol_version', 'InvalidLegacyVersion');
      const x = helloWith({ legacyVersion: v });
      expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['protocol_version InvalidLegacyVersion']);
      expect(x.clientAlerts).toEqual([AlertDescription.protocol_version]);
    }
  });
  it('0x0301 and 0x0302 without supported_versions: an old client → protocol_version', () => {
    for (const v of [0x0301, 0x0302]) expectFailure12(hello12({ legacyVersion: v }), 'protocol_version', 'NoCommonVersion');
  });
  it('anything else beside supported_versions is not used: TLS 1.3 (or 1.2 when it is the best offered)', () => {
    for (const v of [0x0301, 0x0302, 0x0304, 0x7f1c, 0xfefd]) {
      expect(handshake(undefined, { legacyVersion: v }).conn.info, `0x${v.toString(16)}`).toMatchObject({ version: 0x0304 });
      expect(handshake12(makeContext12(), { legacyVersion: v, versions: [0x0303] }).conn.info, `0x${v.toString(16)}`).toMatchObject({ version: 0x0303 });
    }
  });
  it('a TLS 1.3-only server refuses a TLS 1.2 client with protocol_version', () => {
    const x = helloWith({ versions: null }, makeContext({ minVersion: 'TLSv1.3' }));
    expect(x.errors.map((e) => e.reason)).toEqual(['NoCommonVersion']);
  });
});
