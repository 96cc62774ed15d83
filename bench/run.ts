// placeholder until bench/crypto lands
export {};
