/** `GET /healthz`: the coordinator answers and which store it runs on. */
import { z } from 'zod';

export const HealthSchema = z.looseObject({ status: z.literal('ok'), store: z.enum(['sqlite', 'postgres']) });
