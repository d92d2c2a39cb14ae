import { z } from 'zod';

/** The JSON Schema keywords schema_guard understands; any other keyword is a config error, not ignored. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
export interface JsonSchemaSubset {
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchemaSubset>;
  required?: string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchemaSubset;
  additionalProperties?: boolean | JsonSchemaSubset;
  title?: string;
  description?: string;
}
const JsonTypeSchema = z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const count = z.number().int().nonnegative();
export const JsonSchemaSubsetSchema: z.ZodType<JsonSchemaSubset> = z.lazy(() =>
  z.strictObject({
    type: z.union([JsonTypeSchema, z.array(JsonTypeSchema).min(1)]).optional(),
    properties: z.record(z.string(), JsonSchemaSubsetSchema).optional(),
    required: z.array(z.string()).optional(),
    enum: z.array(z.unknown()).min(1).optional(),
    minLength: count.optional(),
    maxLength: count.optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    items: JsonSchemaSubsetSchema.optional(),
    additionalProperties: z.union([z.boolean(), JsonSchemaSubsetSchema]).optional(),
    title: z.string().optional(),
    description: z.string().optional(),
  }),
);
