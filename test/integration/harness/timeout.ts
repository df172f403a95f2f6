// Integration tests talk to a real endpoint (deploys, cold starts): allow them two minutes each.
jest.setTimeout(120_000);
