(function(){
var d=document;d.documentElement.classList.add('js');
function openHash(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&d.getElementById(id);
if(el&&el.tagName==='DETAILS'){el.open=true;}}
window.addEventListener('hashchange',openHash);openHash();
function copy(text,b){function done(){var t=b.textContent;b.textContent='Copied';
setTimeout(function(){b.textContent=t;},1200);}
function fallback(){var a=d.createElement('textarea');a.value=text;d.body.appendChild(a);a.select();
try{d.execCommand('copy');done();}catch(e){}a.remove();}
if(navigator.clipboard){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}}
d.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('button[data-act]');
if(!b)return;var act=b.getAttribute('data-act');
if(act==='copy'){copy(b.parentNode.querySelector('pre').textContent,b);}
else if(act==='copy-all'){var p=[].map.call(b.closest('details').querySelectorAll('pre'),
function(x){return x.textContent;});copy(p.join('\n\n')+'\n',b);}
else{d.querySelectorAll('details.db').forEach(function(x){x.open=act==='expand';});}});
var f=d.getElementById('filter');
if(f){f.addEventListener('input',function(){var q=f.value.trim().toLowerCase();
d.querySelectorAll('table.matrix tbody tr').forEach(function(r){
r.hidden=!!q&&r.cells[0].textContent.toLowerCase().indexOf(q)<0;});
d.querySelectorAll('details.db').forEach(function(x){
x.hidden=!!q&&x.querySelector('.dbname').textContent.toLowerCase().indexOf(q)<0;});});}
})();
