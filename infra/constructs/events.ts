/**
 * The platform's EventBridge bus: the events function publishes `ViolationOpened`,
 * `ViolationResolved` and `ViolationEscalated` (source `compliance.platform`, detail = the
 * violation and its `eventKey`) from the violations table's stream; downstream systems (mail,
 * chat, ticketing) subscribe with their own rules.
 */
import { EventBus } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { type DomainEvent, EVENT_SOURCE } from "../../functions/service/events.ts";

export { EVENT_SOURCE };

/** Every detail type functions/service/events.ts emits: a Record, so a missing one fails the type check. */
const DETAIL_TYPES: Readonly<Record<DomainEvent["detailType"], true>> = {
  ViolationOpened: true,
  ViolationResolved: true,
  ViolationEscalated: true,
};
export const EVENT_DETAIL_TYPES = Object.keys(DETAIL_TYPES) as readonly DomainEvent["detailType"][];

export class ViolationEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, "Bus", {
      description: `Compliance platform: ${EVENT_DETAIL_TYPES.join(", ")} events from source ${EVENT_SOURCE}`,
    });
  }
}
