/**
 * The platform's EventBridge bus: the events function publishes `ViolationOpened` and
 * `ViolationResolved` (source `compliance.platform`, detail = the violation) from the violations
 * table's stream; downstream systems (mail, chat, ticketing) subscribe with their own rules.
 */
import { EventBus } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";

export const EVENT_SOURCE = "compliance.platform";
export const EVENT_DETAIL_TYPES = ["ViolationOpened", "ViolationResolved"] as const;

export class ViolationEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, "Bus", {
      description: `Compliance platform: ${EVENT_DETAIL_TYPES.join(" and ")} events from source ${EVENT_SOURCE}`,
    });
  }
}
