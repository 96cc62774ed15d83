/** One reassembled handshake message (`raw` = header ‖ body, what the transcript hashes): the record layer's type. */
export type { HandshakeMessage } from '@puretls/record-layer';
