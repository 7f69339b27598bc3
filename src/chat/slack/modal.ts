/** A Slack modal view: its title (24 characters at most), the submit and cancel buttons, its blocks. */
export function modal(options: {
  callbackId: string;
  metadata: Record<string, unknown>;
  title: string;
  submit: string;
  blocks: Record<string, unknown>[];
}): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: options.callbackId,
    private_metadata: JSON.stringify(options.metadata),
    title: { type: "plain_text", text: options.title },
    submit: { type: "plain_text", text: options.submit },
    close: { type: "plain_text", text: "Cancel" },
    blocks: options.blocks,
  };
}
