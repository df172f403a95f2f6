/**
 * The transform's data: an order as JSON in, its summary as JSON out. Validation names the
 * first thing wrong, so the error that reaches the failure destination says why.
 */

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface Order {
  readonly orderId: string;
  readonly items: readonly OrderLine[];
}

export interface OrderSummary {
  readonly orderId: string;
  /** s3://bucket/key of the input object. */
  readonly source: string;
  readonly itemCount: number;
  /** In the order's currency, rounded to cents. */
  readonly total: number;
  readonly lines: readonly { readonly sku: string; readonly quantity: number; readonly lineTotal: number }[];
}

/** The object cannot become a summary; retrying will not help. */
export class MalformedObjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedObjectError';
  }
}

const MAX_ITEMS = 1000;
const cents = (n: number) => Math.round(n * 100) / 100;

export function parseOrder(text: string): Order {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MalformedObjectError(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedObjectError('must be a JSON object with orderId and items');
  }
  const { orderId, items } = value as Record<string, unknown>;
  if (typeof orderId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(orderId)) {
    throw new MalformedObjectError('orderId must be 1-64 letters, digits, "_" or "-"');
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    throw new MalformedObjectError(`items must be a list of 1 to ${MAX_ITEMS} lines`);
  }
  const lines = items.map((item: unknown, i): OrderLine => {
    const { sku, quantity, unitPrice } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof sku !== 'string' || sku.length === 0) throw new MalformedObjectError(`items[${i}].sku must be a non-empty string`);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      throw new MalformedObjectError(`items[${i}].quantity must be a whole number above 0`);
    }
    if (typeof unitPrice !== 'number' || !Number.isFinite(unitPrice) || unitPrice < 0) {
      throw new MalformedObjectError(`items[${i}].unitPrice must be a number of at least 0`);
    }
    return { sku, quantity, unitPrice };
  });
  return { orderId, items: lines };
}

export function summarise(order: Order, source: string): OrderSummary {
  const lines = order.items.map((l) => ({ sku: l.sku, quantity: l.quantity, lineTotal: cents(l.quantity * l.unitPrice) }));
  return {
    orderId: order.orderId,
    source,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    total: cents(lines.reduce((sum, l) => sum + l.lineTotal, 0)),
    lines,
  };
}
