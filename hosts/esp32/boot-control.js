/*
 * Module "boot-control" on ESP32: the update agent's view of ESP-IDF's app
 * rollback (boot-control.c). JavaScript, not TypeScript, because native
 * bindings use XS's `@ "name"` syntax; its types are src/typings/update.d.ts.
 */

function state() @ "xs_boot_control_state";
function slotSize() @ "xs_boot_control_slot_size";
function markValid() @ "xs_boot_control_mark_valid";
function retry() @ "xs_boot_control_retry";
function rollback() @ "xs_boot_control_rollback";

export default Object.freeze({
	get state() { return state(); },
	get slotSize() { return slotSize(); },
	markValid,
	retry,
	rollback,
});
