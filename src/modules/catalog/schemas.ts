import { z } from 'zod';

/** The response schemas of the catalog routes. */

export const Service = z
  .object({
    code: z.string(),
    name: z.string(),
    aliases: z.array(z.string()).describe('Other names people search the service by ("youtube" for Google)'),
    icon: z.string().nullable().describe('URL of the brand icon (SVG, served by this server)'),
    color: z.string().nullable(),
    available: z.number().int().describe('Numbers in stock, all countries'),
    fromPrice: z.number().int().nullable().describe('Cheapest price in credits, or null when none is in stock'),
  })
  .meta({ id: 'Service' });
export const Country = z
  .object({
    code: z.string(),
    name: z.string(),
    dialCode: z.string(),
    aliases: z.array(z.string()).describe('Other names people search the country by ("UK" for the United Kingdom)'),
    flag: z.string(),
    available: z.number().int().describe('Numbers in stock (for the service asked, or all)'),
    fromPrice: z.number().int().nullable(),
  })
  .meta({ id: 'Country' });
export const Price = z
  .object({ service: z.string(), country: z.string(), price: z.number().int(), available: z.number().int() })
  .meta({ id: 'Price' });
