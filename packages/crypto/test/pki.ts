/** The test PKI lives in @puretls/test-support (the server's client-certificate tests use it too). */
export * from '@puretls/test-support/pki';
