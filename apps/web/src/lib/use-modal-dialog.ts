import { ref } from "vue";

/**
 * A native modal <dialog>'s behaviour: `show` opens it and remembers what had focus,
 * `restoreFocus` (on its `close` event) gives focus back there; while `isBusy()` Escape does
 * nothing and a click on the backdrop does not close it.
 *
 * @example
 * const { dialog, show, close, restoreFocus, onCancel, onBackdropClick } = useModalDialog(
 *   () => props.busy,
 * );
 * // <dialog ref="dialog" @close="restoreFocus" @cancel="onCancel" @click="onBackdropClick">
 */
export function useModalDialog(isBusy: () => boolean) {
  const dialog = ref<HTMLDialogElement | null>(null);
  let opener: HTMLElement | null = null;

  function show() {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.value?.showModal();
  }

  function close() {
    dialog.value?.close();
  }

  function restoreFocus() {
    opener?.focus();
    opener = null;
  }

  function onCancel(event: Event) {
    if (isBusy()) event.preventDefault();
  }

  function onBackdropClick(event: MouseEvent) {
    if (event.target === dialog.value && !isBusy()) close();
  }

  return { dialog, show, close, restoreFocus, onCancel, onBackdropClick };
}
