import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';
const managerFor = useManagers();
describe('scratch', () => {
  it('probes', async () => {
    const m = await managerFor('s', `
plugins:
  - name: "P"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { detect_ssn: true, detect_email: true, block_on_detection: false }
  - name: "H"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config: { default_mask_strategy: "hash" }
`);
    const texts = ['My SSN is 123-45-6789', 'Card: 3782 822463 10005', '123-45-6789', 'Reference number 123456789',
      'SSN 000-12-3456', 'SSN 666-12-3456', 'SSN 901-12-3456', 'SSN 123-00-4567', 'SSN 123-45-0000', 'SSN: 123456789', 'SSN: 667-12-3456',
      'Card 4111-1111-1111-1111', 'Card 4111-1111-1111-1112', 'Card 0000-0000-0000-0000', 'Card 6759649826438453', 'Card 6200000000000005',
      'Timestamp 20250324123045', 'Account: 123456789', 'Employee ID AB123456', 'Passport Number: AB123456', 'Customer record: BSN: 123456789',
      '+353871234567', 'Phone 555-123-4567', 'IP 192.168.1.1', 'Contact: john.doe@example.com',
      'SSN 123-45-6789 Email john@example.com Phone 555-123-4567 Card 4111-1111-1111-1111 IP 192.168.1.1'];
    for (const t of texts) {
      const { result } = await m.invokeHook('tool_pre_invoke', { name: 't', args: { t } }, ctx);
      console.log(JSON.stringify(t), '=>', JSON.stringify((result.modified_payload as any)?.args?.t ?? null), JSON.stringify(result.metadata));
    }
    const h = await m.invokeHook('tool_post_invoke', { name: 't', result: { t: texts.at(-1) } }, ctx);
    console.log(JSON.stringify(h.result.modified_payload));
  });
});
